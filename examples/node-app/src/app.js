// A tiny inventory service on plain node:http: GET /health, GET /items, GET /items/:id, POST /items.
'use strict';

const http = require('node:http');

function createStore(initial = []) {
  const items = new Map(initial.map((item) => [item.id, item]));
  let nextId = initial.reduce((max, item) => Math.max(max, item.id), 0) + 1;
  return {
    list: () => [...items.values()],
    get: (id) => items.get(id),
    add(name, quantity) {
      const item = { id: nextId++, name, quantity };
      items.set(item.id, item);
      return item;
    }
  };
}

function validateItem(body) {
  const errors = [];
  if (typeof body !== 'object' || body === null) return ['body must be a JSON object'];
  if (typeof body.name !== 'string' || body.name.trim() === '') errors.push('name is required');
  if (!Number.isInteger(body.quantity) || body.quantity < 0) errors.push('quantity must be a whole number >= 0');
  return errors;
}

function send(res, status, payload) {
  const body = JSON.stringify(payload);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

function readJson(req) {
  return new Promise((resolve) => {
    let raw = '';
    req.on('data', (chunk) => (raw += chunk));
    req.on('end', () => {
      try {
        resolve(JSON.parse(raw));
      } catch (error) { // deliberate lint finding: no-unused-vars
        resolve(undefined);
      }
    });
  });
}

function createApp(store = createStore()) {
  const startedAt = Date.now(); // deliberate lint finding: no-unused-vars
  return http.createServer(async (req, res) => {
    const url = new URL(req.url, 'http://localhost');
    if (req.method === 'GET' && url.pathname === '/health') {
      return send(res, 200, { status: 'ok' });
    }
    if (req.method === 'GET' && url.pathname === '/items') {
      return send(res, 200, store.list());
    }
    const match = /^\/items\/(\d+)$/.exec(url.pathname);
    if (req.method === 'GET' && match) {
      const item = store.get(Number(match[1]));
      return item ? send(res, 200, item) : send(res, 404, { error: 'not found' });
    }
    if (req.method === 'POST' && url.pathname === '/items') {
      const body = await readJson(req);
      const errors = validateItem(body);
      if (errors.length > 0) return send(res, 400, { errors });
      return send(res, 201, store.add(body.name.trim(), body.quantity));
    }
    return send(res, 404, { error: 'not found' });
  });
}

module.exports = { createApp, createStore, validateItem };
