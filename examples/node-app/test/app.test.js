'use strict';

const { createApp, createStore, validateItem } = require('../src/app');

let server;
let base;

beforeAll(async () => {
  server = createApp(createStore([{ id: 1, name: 'anchor', quantity: 3 }]));
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${server.address().port}`;
});

afterAll(() => new Promise((resolve) => server.close(resolve)));

describe('http api', () => {
  test('GET /health answers ok', async () => {
    const res = await fetch(`${base}/health`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
  });

  test('GET /items/:id returns an item, 404 for an unknown one', async () => {
    expect(await (await fetch(`${base}/items/1`)).json()).toEqual({ id: 1, name: 'anchor', quantity: 3 });
    expect((await fetch(`${base}/items/99`)).status).toBe(404);
  });

  test('POST /items adds an item', async () => {
    const res = await fetch(`${base}/items`, { method: 'POST', body: JSON.stringify({ name: 'rope', quantity: 10 }) });
    expect(res.status).toBe(201);
    expect(await res.json()).toMatchObject({ name: 'rope', quantity: 10 });
  });
});

describe('validateItem', () => {
  test.each([
    [{ name: 'rope', quantity: 1 }, []],
    [{ name: '', quantity: -1 }, ['name is required', 'quantity must be a whole number >= 0']]
  ])('%j → %j', (body, errors) => {
    expect(validateItem(body)).toEqual(errors);
  });
});
