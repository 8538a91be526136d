package dev.navis.apiserver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A CRD and its custom resources through real kubectl against the production assembly. */
class CustomResourceKubectlTest {
    @TempDir
    Path dataDir;
    private String kubeconfig;

    private static final String CRD = """
            apiVersion: apiextensions.k8s.io/v1
            kind: CustomResourceDefinition
            metadata:
              name: widgets.example.com
            spec:
              group: example.com
              scope: Namespaced
              names:
                plural: widgets
                singular: widget
                kind: Widget
                shortNames: [wd]
              versions:
              - name: v1
                served: true
                storage: true
                subresources:
                  status: {}
                additionalPrinterColumns:
                - name: Size
                  type: integer
                  jsonPath: .spec.size
                - name: Color
                  type: string
                  jsonPath: .spec.color
                - name: Age
                  type: date
                  jsonPath: .metadata.creationTimestamp
                schema:
                  openAPIV3Schema:
                    type: object
                    description: A widget of the example group.
                    properties:
                      spec:
                        type: object
                        description: What the widget should be.
                        required: [size]
                        properties:
                          size:
                            type: integer
                            minimum: 1
                            description: How big the widget is.
                          color:
                            type: string
                            default: red
                            enum: [red, blue]
                      status:
                        type: object
                        properties:
                          ready:
                            type: boolean
            """;

    private KubectlTest.Result kubectl(String... args) throws Exception {
        String[] all = new String[args.length + 2];
        all[0] = "--kubeconfig";
        all[1] = kubeconfig;
        System.arraycopy(args, 0, all, 2, args.length);
        return KubectlTest.run(dataDir, all);
    }

    private KubectlTest.Result ok(String... args) throws Exception {
        KubectlTest.Result r = kubectl(args);
        assertThat(r.exit()).as(String.join(" ", args) + ": " + r.output()).isZero();
        return r;
    }

    private Path file(String name, String content) throws Exception {
        Path p = dataDir.resolve(name);
        Files.writeString(p, content);
        return p;
    }

    @Test
    void crdAndCustomResourcesThroughKubectl() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/kubectl")), "kubectl is not installed");
        ApiServerOptions options = ApiServerOptions.defaults().withDataDir(dataDir).withPort(0);
        try (ApiServer server = ApiServer.create(options)) {
            server.start();
            kubeconfig = server.kubeconfigFile().toString();

            // before its CRD: kubectl finds no schema in /openapi/v3, asks /openapi/v2 for protobuf only, gets 406 and
            // refuses to validate; without validation it reports upstream's missing mapping
            Path earlyFile = file("early.yaml", """
                    apiVersion: example.com/v1
                    kind: Widget
                    metadata:
                      name: early
                    spec:
                      size: 3
                    """);
            KubectlTest.Result early = kubectl("apply", "--validate=false", "-f", earlyFile.toString());
            assertThat(early.exit()).isNotZero();
            assertThat(early.output()).contains("no matches for kind \"Widget\" in version \"example.com/v1\"",
                    "ensure CRDs are installed first");
            assertThat(ok("apply", "-f", file("crd.yaml", CRD).toString()).output())
                    .contains("customresourcedefinition.apiextensions.k8s.io/widgets.example.com created");
            ok("wait", "--for=condition=Established", "crd/widgets.example.com", "--timeout=30s");
            assertThat(ok("get", "crds").output()).contains("widgets.example.com");

            Path w1 = file("w1.yaml", """
                    apiVersion: example.com/v1
                    kind: Widget
                    metadata:
                      name: w1
                    spec:
                      size: 3
                    """);
            assertThat(ok("apply", "-f", w1.toString()).output()).contains("widget.example.com/w1 created");
            assertThat(ok("apply", "-f", w1.toString()).output()).contains("widget.example.com/w1 unchanged");
            assertThat(ok("get", "widget", "w1", "-o", "jsonpath={.spec.color}").output()).isEqualTo("red");

            String table = ok("get", "widgets").output();
            assertThat(table.lines().findFirst().orElse("")).containsPattern("NAME\\s+SIZE\\s+COLOR\\s+AGE");
            assertThat(table).containsPattern("w1\\s+3\\s+red\\s+\\d+s");
            assertThat(ok("get", "wd", "-o", "name").output()).contains("widget.example.com/w1");

            ok("patch", "widget", "w1", "--type=merge", "-p", "{\"spec\":{\"size\":5}}");
            ok("patch", "widget", "w1", "--type=json", "-p", "[{\"op\":\"replace\",\"path\":\"/spec/color\",\"value\":\"blue\"}]");
            assertThat(ok("get", "widget", "w1", "-o", "jsonpath={.spec.size} {.spec.color}").output()).isEqualTo("5 blue");
            ok("label", "widget", "w1", "tier=gold");
            assertThat(ok("get", "widgets", "-l", "tier=gold", "-o", "name").output()).contains("widget.example.com/w1");
            // apply of a changed manifest computes a merge patch (custom resources have no strategic merge)
            ok("apply", "-f", file("w1b.yaml", """
                    apiVersion: example.com/v1
                    kind: Widget
                    metadata:
                      name: w1
                    spec:
                      size: 7
                    """).toString());
            assertThat(ok("get", "widget", "w1", "-o", "jsonpath={.spec.size}").output()).isEqualTo("7");

            KubectlTest.Result invalid = kubectl("apply", "-f", file("bad.yaml", """
                    apiVersion: example.com/v1
                    kind: Widget
                    metadata:
                      name: bad
                    spec:
                      size: 0
                    """).toString());
            assertThat(invalid.exit()).isNotZero();
            assertThat(invalid.output()).contains("spec.size: Invalid value: 0: spec.size in body should be greater than or equal to 1");

            KubectlTest.Result unknown = kubectl("apply", "-f", file("unknown.yaml", """
                    apiVersion: example.com/v1
                    kind: Widget
                    metadata:
                      name: odd
                    spec:
                      size: 1
                      bogus: true
                    """).toString());
            assertThat(unknown.exit()).as(unknown.output()).isNotZero();
            assertThat(unknown.output()).contains("unknown field \"spec.bogus\"");

            String explain = ok("explain", "widget.spec").output();
            assertThat(explain).contains("GROUP:      example.com", "KIND:       Widget", "VERSION:    v1", "How big the widget is.",
                    "size", "color");

            assertThat(ok("api-resources", "--api-group=example.com").output()).contains("widgets", "wd", "Widget");

            assertThat(ok("delete", "crd", "widgets.example.com").output())
                    .contains("customresourcedefinition.apiextensions.k8s.io \"widgets.example.com\" deleted");
            // kubectl waited for the CRD to go, i.e. for its objects to be deleted first
            KubectlTest.Result gone = kubectl("get", "--raw", "/apis/example.com/v1/namespaces/default/widgets");
            assertThat(gone.exit()).isNotZero();
            assertThat(gone.output()).contains("NotFound");
            assertThat(ok("get", "crds", "-o", "name").output()).doesNotContain("widgets");
        }
    }
}
