// Starts GraphiQL (its browser build, served by the gateway beside React) on the config the page carries: the
// endpoint, and the example operations as tabs. Headers are editable and are not kept between visits.
'use strict';

(() => {
  const config = JSON.parse(document.getElementById('graphiql-config').textContent);
  const fetcher = GraphiQL.createFetcher({ url: new URL(config.endpoint, location.href).href });
  ReactDOM.createRoot(document.getElementById('graphiql')).render(
    React.createElement(GraphiQL, {
      fetcher,
      defaultTabs: config.tabs,
      // The editors start from these (GraphiQL fills the first tab's editors from them, not from defaultTabs).
      query: config.tabs[0] && config.tabs[0].query,
      variables: config.tabs[0] && config.tabs[0].variables,
      defaultEditorToolsVisibility: true,
      isHeadersEditorEnabled: true,
      shouldPersistHeaders: false,
    }),
  );
})();
