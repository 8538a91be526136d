package dev.navis.cli;

import java.nio.file.Path;

import dev.navis.apiserver.ApiServerOptions;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** The API server's command-line options, shared by {@code navis server} and {@code navis apiserver}. */
public final class ApiServerOptionsMixin {
    @Option(names = "--data-dir", paramLabel = "DIR",
            description = "Where the store, certificates, tokens and kubeconfig live (default: ~/.navis/server).")
    Path dataDir;

    @Option(names = "--api-port", paramLabel = "PORT", defaultValue = "" + ApiServerOptions.DEFAULT_PORT,
            description = "HTTPS port of the API server, 0 for any free one (default: ${DEFAULT-VALUE}).")
    int apiPort;

    @Option(names = "--bind-address", paramLabel = "IP", defaultValue = ApiServerOptions.DEFAULT_BIND_ADDRESS,
            description = "Address to listen on; 0.0.0.0 for every interface (default: ${DEFAULT-VALUE}).")
    String bindAddress;

    @Option(names = "--token-auth-file", paramLabel = "FILE",
            description = "Static bearer tokens, upstream's CSV format token,user,uid,\"group1,group2\" "
                    + "(default: <data-dir>/tokens.csv, made with an admin token on first start).")
    Path tokenAuthFile;

    @Spec(Spec.Target.MIXEE)
    CommandSpec command;

    /** The options as given; a bad value is reported like any other usage error. */
    ApiServerOptions toOptions() {
        try {
            return ApiServerOptions.defaults()
                    .withDataDir(dataDir != null ? dataDir.toAbsolutePath() : ApiServerOptions.defaultDataDir())
                    .withPort(apiPort)
                    .withBindAddress(bindAddress)
                    .withTokenAuthFile(tokenAuthFile == null ? null : tokenAuthFile.toAbsolutePath());
        } catch (IllegalArgumentException e) {
            throw new ParameterException(command.commandLine(), e.getMessage());
        }
    }
}
