// AsyncStand's GraphQL playground: GraphiQL against this server's /graphql endpoint.
// Sign-in: run `mutation { logIn(input: {email: "...", password: "..."}) { accessToken } }`
// and put {"Authorization": "Bearer <accessToken>"} in the Headers tab.
(function () {
  'use strict';
  var endpoint = new URL('../graphql', window.location.href).toString();
  var defaultQuery = [
    '# Welcome to the AsyncStand GraphQL playground.',
    '#',
    '# Sign in with the logIn mutation, then add the access token in the Headers tab:',
    '#   { "Authorization": "Bearer <accessToken>" }',
    '#',
    '# Run with Ctrl-Enter; explore the schema in the Docs panel.',
    '',
    '{',
    '  viewer {',
    '    user { name email }',
    '    organization { name slug }',
    '    role',
    '  }',
    '}',
    ''
  ].join('\n');

  var fetcher = GraphiQL.createFetcher({ url: endpoint });
  var root = ReactDOM.createRoot(document.getElementById('graphiql'));
  root.render(
    React.createElement(GraphiQL, {
      fetcher: fetcher,
      defaultQuery: defaultQuery,
      shouldPersistHeaders: false,
      isHeadersEditorEnabled: true
    })
  );
})();
