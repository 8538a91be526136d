package dev.navis.apiserver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RequestInfoTest {

    @ParameterizedTest(name = "{0} {1}?{2}")
    @CsvSource(delimiter = '|', nullValues = "null", textBlock = """
            # method | path                                              | query                         | verb             | group     | version | resource    | subresource | namespace | name  | resourceRequest
            GET      | /api/v1/namespaces                                 | null                          | list             | ''        | v1      | namespaces  | ''          | ''        | ''    | true
            GET      | /api/v1/namespaces/other                           | null                          | get              | ''        | v1      | namespaces  | ''          | other     | other | true
            GET      | /api/v1/namespaces/other/pods                      | null                          | list             | ''        | v1      | pods        | ''          | other     | ''    | true
            GET      | /api/v1/namespaces/other/pods/foo                  | null                          | get              | ''        | v1      | pods        | ''          | other     | foo   | true
            HEAD     | /api/v1/namespaces/other/pods/foo                  | null                          | get              | ''        | v1      | pods        | ''          | other     | foo   | true
            GET      | /api/v1/pods                                       | null                          | list             | ''        | v1      | pods        | ''          | ''        | ''    | true
            GET      | /api/v1/namespaces/other/pods/foo/status           | null                          | get              | ''        | v1      | pods        | status      | other     | foo   | true
            PUT      | /api/v1/namespaces/other/pods/foo/status           | null                          | update           | ''        | v1      | pods        | status      | other     | foo   | true
            GET      | /api/v1/namespaces/other/pods/foo/log              | follow=true                   | get              | ''        | v1      | pods        | log         | other     | foo   | true
            GET      | /api/v1/namespaces/other/pods                      | watch=true                    | watch            | ''        | v1      | pods        | ''          | other     | ''    | true
            GET      | /api/v1/namespaces/other/pods                      | watch=1                       | watch            | ''        | v1      | pods        | ''          | other     | ''    | true
            GET      | /api/v1/namespaces/other/pods                      | watch=false                   | list             | ''        | v1      | pods        | ''          | other     | ''    | true
            GET      | /api/v1/namespaces/other/pods                      | watch=0                       | list             | ''        | v1      | pods        | ''          | other     | ''    | true
            GET      | /api/v1/namespaces/other/pods                      | watch                         | watch            | ''        | v1      | pods        | ''          | other     | ''    | true
            GET      | /api/v1/namespaces/other/pods                      | fieldSelector=metadata.name%3Dfoo&watch=true | watch | ''    | v1      | pods        | ''          | other     | foo   | true
            GET      | /api/v1/namespaces/other/pods                      | fieldSelector=metadata.name%3D%3Dfoo | list      | ''        | v1      | pods        | ''          | other     | foo   | true
            GET      | /api/v1/watch/pods                                 | null                          | watch            | ''        | v1      | pods        | ''          | ''        | ''    | true
            GET      | /api/v1/watch/namespaces/other/pods                | null                          | watch            | ''        | v1      | pods        | ''          | other     | ''    | true
            GET      | /api/v1/watch/namespaces/other/pods/foo            | null                          | watch            | ''        | v1      | pods        | ''          | other     | foo   | true
            GET      | /api/v1/proxy/namespaces/other/pods/foo/some/path  | null                          | proxy            | ''        | v1      | pods        | ''          | other     | foo   | true
            GET      | /api/v1/namespaces/other/pods/foo/proxy/some/path  | null                          | get              | ''        | v1      | pods        | proxy       | other     | foo   | true
            POST     | /api/v1/namespaces/other/pods                      | null                          | create           | ''        | v1      | pods        | ''          | other     | ''    | true
            POST     | /api/v1/namespaces/other/pods/foo/exec             | command=ls                    | create           | ''        | v1      | pods        | exec        | other     | foo   | true
            PATCH    | /api/v1/namespaces/other/pods/foo                  | null                          | patch            | ''        | v1      | pods        | ''          | other     | foo   | true
            DELETE   | /api/v1/namespaces/other/pods/foo                  | null                          | delete           | ''        | v1      | pods        | ''          | other     | foo   | true
            DELETE   | /api/v1/namespaces/other/pods                      | null                          | deletecollection | ''        | v1      | pods        | ''          | other     | ''    | true
            PUT      | /api/v1/namespaces/other/finalize                  | null                          | update           | ''        | v1      | namespaces  | finalize    | other     | other | true
            GET      | /api/v1/namespaces/other/status                    | null                          | get              | ''        | v1      | namespaces  | status      | other     | other | true
            GET      | /apis/apps/v1/namespaces/other/deployments/web     | null                          | get              | apps      | v1      | deployments | ''          | other     | web   | true
            GET      | /apis/apps/v1/namespaces/other/deployments/web/scale | null                        | get              | apps      | v1      | deployments | scale       | other     | web   | true
            GET      | /apis/rbac.authorization.k8s.io/v1/clusterroles    | null                          | list             | rbac.authorization.k8s.io | v1 | clusterroles | '' | ''    | ''    | true
            GET      | /apis/apps/v1/watch/namespaces/other/deployments   | resourceVersion=5             | watch            | apps      | v1      | deployments | ''          | other     | ''    | true
            OPTIONS  | /api/v1/pods                                       | null                          | ''               | ''        | v1      | pods        | ''          | ''        | ''    | true
            GET      | /api/v1/namespaces/other/pods/                     | null                          | list             | ''        | v1      | pods        | ''          | other     | ''    | true
            GET      | /api                                               | null                          | get              | ''        | ''      | ''          | ''          | ''        | ''    | false
            GET      | /api/v1                                            | null                          | get              | ''        | ''      | ''          | ''          | ''        | ''    | false
            GET      | /apis                                              | null                          | get              | ''        | ''      | ''          | ''          | ''        | ''    | false
            GET      | /apis/apps                                         | null                          | get              | ''        | ''      | ''          | ''          | ''        | ''    | false
            GET      | /apis/apps/v1                                      | null                          | get              | ''        | ''      | ''          | ''          | ''        | ''    | false
            GET      | /healthz                                           | verbose                       | get              | ''        | ''      | ''          | ''          | ''        | ''    | false
            GET      | /                                                  | null                          | get              | ''        | ''      | ''          | ''          | ''        | ''    | false
            POST     | /other/a/b/c                                       | null                          | post             | ''        | ''      | ''          | ''          | ''        | ''    | false
            """)
    void parsesLikeUpstream(String method, String path, String query, String verb, String group, String version,
                            String resource, String subresource, String namespace, String name, boolean resourceRequest) {
        assertThat(RequestInfo.parse(method, path, query))
                .isEqualTo(new RequestInfo(verb, group, version, resource, subresource, namespace, name, resourceRequest));
    }

    @ParameterizedTest
    @CsvSource({"/api/v1/watch", "/apis/apps/v1/proxy"})
    void specialVerbWithoutResourceIsRejected(String path) {
        assertThatThrownBy(() -> RequestInfo.parse("GET", path, null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unable to determine kind and namespace");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            /api/v1/namespaces/ns/pods/foo    | namespace
            /api/v1/nodes/n1                  | resource
            /api/v1/nodes                     | cluster
            /healthz                          | ''
            """)
    void scopeAsMetricsReportIt(String path, String scope) {
        assertThat(RequestInfo.parse("GET", path, null).scope()).isEqualTo(scope);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            GET  | /api/v1/pods                         | watch=true    | true
            GET  | /api/v1/pods                         | ''            | false
            POST | /api/v1/namespaces/a/pods/p/exec     | ''            | true
            GET  | /api/v1/namespaces/a/pods/p/log      | ''            | true
            GET  | /api/v1/namespaces/a/pods/p/status   | ''            | false
            GET  | /healthz                             | ''            | false
            """)
    void longRunningRequests(String method, String path, String query, boolean longRunning) {
        assertThat(RequestInfo.parse(method, path, query).isLongRunning()).isEqualTo(longRunning);
    }
}
