package dev.navis.apiserver.rest;

import dev.navis.apimachinery.registry.BuiltinResources;
import dev.navis.apiserver.ApiServer;
import dev.navis.apiserver.ApiServerOptions;
import java.nio.file.Path;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * Manual exploration only. {@code DevServer http PORT}: the REST API with the test resources over an
 * in-memory store on plain HTTP; {@code DevServer full PORT DIR}: the whole API server with the built-in
 * resources (HTTPS, kubeconfig in DIR).
 */
final class DevServer {
    private DevServer() {
    }

    public static void main(String[] args) throws Exception {
        if (args[0].equals("full")) {
            ApiServer server = ApiServer.create(ApiServerOptions.defaults().withDataDir(Path.of(args[2]))
                    .withPort(Integer.parseInt(args[1])), BuiltinResources.all());
            server.start();
            System.out.println("kubeconfig: " + server.kubeconfigFile());
            server.join();
            return;
        }
        RestApi api = new RestApi(dev.navis.storage.mvcc.MvccStore.inMemory(), TestResources.all());
        api.start();
        Server server = new Server();
        ServerConnector c = new ServerConnector(server);
        c.setHost("127.0.0.1");
        c.setPort(Integer.parseInt(args[1]));
        server.addConnector(c);
        server.setHandler(api.handler());
        server.start();
        server.join();
    }
}
