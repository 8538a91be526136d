package dev.navis.apiserver.rest;

import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/** Manual exploration only: the REST API over an in-memory store on plain HTTP (java ... DevServer PORT). */
final class DevServer {
    private DevServer() {
    }

    public static void main(String[] args) throws Exception {
        RestApi api = new RestApi(dev.navis.storage.mvcc.MvccStore.inMemory(), TestResources.all());
        api.start();
        Server server = new Server();
        ServerConnector c = new ServerConnector(server);
        c.setHost("127.0.0.1");
        c.setPort(Integer.parseInt(args[0]));
        server.addConnector(c);
        server.setHandler(api.handler());
        server.start();
        server.join();
    }
}
