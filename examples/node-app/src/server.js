'use strict';

const { createApp, createStore } = require('./app');

const port = Number(process.env.PORT ?? 3000);
const store = createStore([{ id: 1, name: 'anchor', quantity: 3 }]);

createApp(store).listen(port, () => {
  console.log(`node-app listening on :${port}`);
});
