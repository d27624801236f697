"""Runs fakesnow's HTTP server with query results in Snowflake's JSON format.

fakesnow returns query results in Arrow (`queryResultFormat: arrow`), while the
Node.js Snowflake driver (snowflake-sdk 3.x) reads only the JSON format. This
launcher serves fakesnow's own routes and rewrites each Arrow result into the
JSON rowset that Snowflake sends to that driver: every value as text, dates
as days since the epoch, timestamps as epoch seconds with a fraction, and
TIMESTAMP_TZ with its offset in minutes plus 1440.

Usage: python fakesnow-json-server.py [--host 127.0.0.1]
Prints "fakesnow listening on http://HOST:PORT" once it accepts connections.
"""

from __future__ import annotations

import argparse
import base64
import datetime
import json
import socket
import sys
from decimal import Decimal
from typing import Any

import pyarrow as pa
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

import fakesnow.server as fakesnow_server

EPOCH_DATE = datetime.date(1970, 1, 1)


def to_json_value(value: Any, column: dict[str, Any]) -> str | None:
    """Returns one Arrow value as the text Snowflake puts in a JSON rowset."""
    if value is None:
        return None

    kind = column["type"].lower()
    if kind == "boolean":
        return "1" if value else "0"
    if kind == "date":
        return str((value - EPOCH_DATE).days)
    if kind.startswith("timestamp"):
        # fakesnow builds the struct's fields from a NULL timestamp without marking the struct NULL.
        if value["epoch"] is None:
            return None
        seconds = f"{value['epoch']}.{value['fraction']:09d}"
        return f"{seconds} {value['timezone']}" if kind == "timestamp_tz" else seconds
    if kind == "real":
        return repr(float(value))
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, bytes):
        return value.hex()
    return str(value)


def arrow_to_rowset(encoded: str, rowtype: list[dict[str, Any]]) -> list[list[str | None]]:
    if not encoded:
        return []

    table = pa.ipc.open_stream(base64.b64decode(encoded)).read_all()
    columns = [column.to_pylist() for column in table.columns]
    return [
        [to_json_value(values[index], rowtype[position]) for position, values in enumerate(columns)]
        for index in range(table.num_rows)
    ]


async def query_request(request: Request) -> Response:
    response = await fakesnow_server.query_request(request)
    payload = json.loads(bytes(response.body))
    data = payload.get("data")
    if not payload.get("success") or not isinstance(data, dict) or "rowtype" not in data:
        return response

    if data.get("queryResultFormat") == "arrow":
        data["rowset"] = arrow_to_rowset(data.pop("rowsetBase64", ""), data.get("rowtype") or [])
        data["queryResultFormat"] = "json"
        data["total"] = len(data["rowset"])
    # The driver reads rows until it has `returned` of them, so a missing count
    # leaves the statement unfinished. Version 1 makes it read TIMESTAMP_TZ
    # values as "seconds offset" pairs.
    data["returned"] = len(data.get("rowset") or [])
    data["version"] = 1
    return JSONResponse(payload, status_code=response.status_code)


def build_app() -> Starlette:
    routes = []
    for route in fakesnow_server.routes:
        if isinstance(route, Route) and route.path == "/queries/v1/query-request":
            routes.append(Route(route.path, query_request, methods=["POST"]))
        else:
            routes.append(route)
    return Starlette(routes=routes)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    arguments = parser.parse_args()

    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind((arguments.host, 0))
    listener.listen(128)
    host, port = listener.getsockname()

    config = uvicorn.Config(build_app(), log_level="warning")
    server = uvicorn.Server(config)
    print(f"fakesnow listening on http://{host}:{port}", flush=True)
    server.run(sockets=[listener])


if __name__ == "__main__":
    sys.exit(main())
