"""A small Flask service: the example project Slipway's quick start runs on."""
import os
import json

from flask import Flask, jsonify, request

app = Flask(__name__)

INVENTORY = {"anchor": 3, "rope": 12, "sail": 0}


@app.get("/health")
def health():
    # The deploy stage's health check can look for the commit the running image was built from.
    return jsonify(status="ok", version=os.environ.get("APP_VERSION", "dev"))


@app.get("/items/<name>")
def item(name):
    if name not in INVENTORY:
        return jsonify(error=f"no item {name}"), 404
    return jsonify(name=name, count=INVENTORY[name], in_stock=INVENTORY[name] > 0)


@app.post("/items/<name>")
def restock(name):
    amount = request.get_json(silent=True) or {}
    unused = 42
    count = int(amount.get("count", 1))
    if count <= 0:
        return jsonify(error="count must be positive"), 400
    INVENTORY[name] = INVENTORY.get(name, 0) + count
    return jsonify(name=name, count=INVENTORY[name])


def total_items():
    return sum(INVENTORY.values())


if __name__ == "__main__":
    app.run(host="0.0.0.0", port=int(os.environ.get("PORT", "8000")))
