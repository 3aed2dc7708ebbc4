// Starts GraphiQL on Roster's /graphql page (app/graphiql.py). A file, not an inline script,
// so the page's Content-Security-Policy allows scripts from Roster only. React, GraphiQL and
// the explorer plugin are the vendored UMD builds (app/static/graphiql/), loaded before this.
(function () {
  "use strict";
  var settings = JSON.parse(
    document.getElementById("roster-graphiql-settings").textContent,
  );
  // ?query=… opens the page with that query (a link to share one), as GraphiQL's own does.
  var parameters = new URLSearchParams(window.location.search);
  var fetcher = GraphiQL.createFetcher({
    url: window.location.origin + window.location.pathname,
  });
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
