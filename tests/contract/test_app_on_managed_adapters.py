"""The whole app on the managed adapters: SupabaseStore through the PostgREST bridge and UpstashKV
through the Upstash bridge, both over real servers."""

from __future__ import annotations

from starlette.testclient import TestClient

from shared.container import Container
from shared.http.app import create_app
from shared.menus.io import import_menu
from shared.store.supabase import SupabaseStore
from tests.conftest import make_settings, seed_documents
from tests.contract.conftest import SERVICE_ROLE_KEY, UPSTASH_TOKEN
from tests.support.redis_server import socket_path
from tests.support.servers import serve
from tests.support.upstash_bridge import UpstashBridge

MENU = "/api/public/menu"


def test_public_menu_on_supabase_and_upstash(postgrest, upstash, new_upstash_kv):
    kv_url, _ = upstash
    store = SupabaseStore(postgrest, SERVICE_ROLE_KEY, timeout_seconds=3)
    for document in seed_documents():
        import_menu(store, document)
    container = Container(make_settings(), store=store, kv=new_upstash_kv(kv_url))
    try:
        with TestClient(create_app(container=container), raise_server_exceptions=False) as client:
            first = client.get(MENU, params={"restaurantId": "demo"})
            assert first.status_code == 200, first.text
            etag = first.headers["etag"]
            assert first.json()["restaurant"]["slug"] == "demo"
            assert first.json()["restaurant"]["website"] == "https://demo.stjarna.dev"
            night = client.get(MENU, params={"restaurantId": "nattbaren"}).json()["restaurant"]
            assert (night["address"], night["phone"], night["website"]) == (None, None, None)
            again = client.get(MENU, params={"restaurantId": "demo"}, headers={"If-None-Match": etag})
            assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == etag

        # Another instance (its own, empty local cache and a fresh KV client) finds the menu in the KV.
        head = store.rpc("stjarna_restaurant_head", {"p_ref": "demo"})
        cached = new_upstash_kv(kv_url).get(f"menu:{head['id']}:{head['version']}")
        assert cached is not None and cached == f"{etag}\n{first.text}"
        other = Container(make_settings(), store=store, kv=new_upstash_kv(kv_url))
        menu, status = other.menus.menu("demo")
        assert status == "hit" and menu.etag == etag and menu.body == first.content
    finally:
        container.close()


def test_public_menu_survives_a_stopped_kv(postgrest, redis_server, new_upstash_kv):
    store = SupabaseStore(postgrest, SERVICE_ROLE_KEY, timeout_seconds=3)
    for document in seed_documents():
        import_menu(store, document)
    bridge = UpstashBridge(socket_path(redis_server), UPSTASH_TOKEN)
    with serve(bridge.app) as server:
        kv = new_upstash_kv(server.url)
    bridge.close()
    container = Container(make_settings(), store=store, kv=kv)
    try:
        with TestClient(create_app(container=container), raise_server_exceptions=False) as client:
            r = client.get(MENU, params={"restaurantId": "demo"})
        assert r.status_code == 200 and r.json()["restaurant"]["slug"] == "demo"
    finally:
        container.close()
