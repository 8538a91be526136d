package dev.navis.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.navis.apiserver.certs.ClusterCertificates;
import dev.navis.apiserver.certs.ServingNames;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** How a server gets the cluster CA of a cluster it joins: {@code --cluster-ca DIR} or {@code --token} (through etcd). */
class ClusterCaOptionsTest {
    @TempDir
    Path tmp;

    private ApiServerCommand parse(String... args) {
        ApiServerCommand command = new ApiServerCommand();
        new CommandLine(command).parseArgs(args);
        return command;
    }

    @Test
    void clusterCaCopiesAnotherServersCaBeforeStart() throws Exception {
        Path first = tmp.resolve("s1");
        ClusterCertificates.loadOrCreate(first.resolve("pki"), ServingNames.ofThisHost());
        Path second = tmp.resolve("s2");
        var options = parse("--data-dir", second.toString(), "--cluster-ca", first.resolve("pki").toString()).apiServer.toOptions();
        assertThat(Files.readString(options.pkiDir().resolve("ca.crt")))
                .isEqualTo(Files.readString(first.resolve("pki/ca.crt")));
    }

    @Test
    void theServerTokenNeedsEtcdAndExcludesClusterCa() {
        assertThatThrownBy(() -> parse("--data-dir", tmp.toString(), "--token", "s3cret").apiServer.toOptions())
                .isInstanceOf(CommandLine.ParameterException.class).hasMessageContaining("--datastore etcd");
        assertThatThrownBy(() -> parse("--data-dir", tmp.toString(), "--token", "s3cret", "--cluster-ca",
                tmp.resolve("ca").toString()).apiServer.toOptions())
                .isInstanceOf(CommandLine.ParameterException.class).hasMessageContaining("give one");
    }
}
