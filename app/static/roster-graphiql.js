// Starts GraphiQL on Roster's /graphql page (app/graphiql.py). A file, not an inline script,
// so the page's Content-Security-Policy allows scripts from Roster only. React, GraphiQL, the
// explorer plugin and the graphql-ws client are the vendored UMD builds (app/static/graphiql/),
// loaded before this.
(function () {
  "use strict";
  var settings = JSON.parse(
    document.getElementById("roster-graphiql-settings").textContent,
  );
  // ?query=… opens the page with that query (a link to share one), as GraphiQL's own does.
  var parameters = new URLSearchParams(window.location.search);
  var endpoint = window.location.origin + window.location.pathname;
  // Subscriptions go over a WebSocket to the same /graphql (graphql-transport-ws,
  // app/live_transport.py); queries and mutations stay on HTTP.
  var socketUrl = endpoint.replace(/^http/, "ws");

  // The key is whatever the header editor holds when an operation runs. A browser cannot set
  // headers on a WebSocket, so the socket sends it in connection_init's payload instead,
  // where the server reads {"Authorization": "Bearer <key>"}.
  function authorizationOf(headers) {
    var names = Object.keys(headers || {});
    for (var i = 0; i < names.length; i++) {
      if (names[i].toLowerCase() === "authorization") {
        return String(headers[names[i]]);
      }
    }
    return null;
  }

  // One graphql-ws client (and the GraphiQL fetcher around it) per Authorization value: a
  // socket authenticates once, at connection_init, so another key needs another socket. The
  // clients are lazy (no socket until a subscription runs, closed when none is left), so
  // keeping the one of a key no longer used costs nothing, and a subscription still running
  // with it is not cut when the header editor changes.
  var fetchers = new Map();

  function fetcherFor(authorization) {
    var found = fetchers.get(authorization);
    if (found === undefined) {
      var client = graphqlWs.createClient({
        url: socketUrl,
        connectionParams: authorization === null ? {} : { Authorization: authorization },
        // No silent retries: a refused key (close 4403) would otherwise be retried five
        // times with back-off (1, 2, 4, 8, 16 s and jitter): over half a minute of an empty
        // result pane. A closed socket ends the subscription with its close code and reason;
        // running it again reconnects.
        retryAttempts: 0,
      });
      found = GraphiQL.createFetcher({ url: endpoint, wsClient: endingAsResult(client) });
      fetchers.set(authorization, found);
    }
    return found;
  }

  // graphql-ws ends a subscription with an error (the close event of its socket, or the
  // server's errors for it); GraphiQL's toolkit rethrows that as an uncaught error. Shown as
  // the last result instead, in GraphQL's {"errors": [...]} shape, with the close code and
  // reason (4403 Forbidden: UNAUTHENTICATED for a wrong key).
  function endingAsResult(client) {
    return {
      subscribe: function (payload, sink) {
        return client.subscribe(payload, {
          next: function (value) {
            sink.next(value);
          },
          complete: function () {
            sink.complete();
          },
          error: function (error) {
            sink.next({ errors: errorsOf(error) });
            sink.complete();
          },
        });
      },
    };
  }

  function errorsOf(error) {
    if (Array.isArray(error)) {
      return error; // the server's "error" message: GraphQL errors already
    }
    if (error && typeof error.code === "number") {
      var reason = error.reason ? " " + error.reason : "";
      return [{ message: "The WebSocket closed: " + error.code + reason }];
    }
    return [{ message: String((error && error.message) || error) }];
  }

  function fetcher(graphQLParams, fetcherOpts) {
    var headers = fetcherOpts ? fetcherOpts.headers : undefined;
    return fetcherFor(authorizationOf(headers))(graphQLParams, fetcherOpts);
  }

  var explorer = GraphiQLPluginExplorer.explorerPlugin();

  function RosterGraphiQL() {
    return React.createElement(GraphiQL, {
      fetcher: fetcher,
      plugins: [explorer],
      defaultQuery: settings.defaultQuery,
      query: parameters.get("query") || undefined,
      // Without anonymous access every request needs a key: the header editor is open and
      // shows where it goes. Headers are not kept in the browser's storage (the key is a
      // secret), so a reload asks for it again.
      defaultHeaders: settings.defaultHeaders || undefined,
      defaultEditorToolsVisibility: settings.defaultHeaders ? "headers" : true,
      isHeadersEditorEnabled: true,
      shouldPersistHeaders: false,
      inputValueDeprecation: true,
    });
  }

  ReactDOM.createRoot(document.getElementById("graphiql")).render(
    React.createElement(RosterGraphiQL),
  );
})();
