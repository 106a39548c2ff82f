"""Changing the index over HTTP: off by default; with a token, safe from forgery."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from indexer import sync
from webui import create_app


SEEDS = Path(__file__).resolve().parents[1] / "seeds"
TOKEN = "s3cret-token-for-tests"


@pytest.fixture
def folders(tmp_path):
    corpus = tmp_path / "corpus"
    shutil.copytree(SEEDS, corpus)
    sync.rebuild(corpus, tmp_path / "index")
    return corpus, tmp_path / "index"


def client_for(folders, token=None):
    corpus, root = folders
    return create_app({"INDEX_DIR": str(root), "CORPUS_DIR": str(corpus), "ADMIN_TOKEN": token, "TESTING": True}).test_client()


def test_adding_over_http_is_off_by_default(folders, web_server):
    response = client_for(folders).post("/api/add", json={"url": f"{web_server}/page"}, headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 403
    assert "disabled" in response.get_json()["error"]


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer wrong"}, {"Authorization": TOKEN}])
def test_adding_needs_the_token(folders, web_server, headers):
    response = client_for(folders, TOKEN).post("/api/add", json={"url": f"{web_server}/page"}, headers=headers)
    assert response.status_code == 401


def test_a_cross_site_form_post_is_refused(folders, web_server):
    # What a forged form could send: no Authorization header, a form body.
    response = client_for(folders, TOKEN).post("/api/add", data={"url": f"{web_server}/page"},
                                               headers={"Origin": "https://evil.example"})
    assert response.status_code == 401
    response = client_for(folders, TOKEN).post("/api/add", data={"url": f"{web_server}/page"},
                                               headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 415


def test_a_path_is_not_a_url(folders):
    response = client_for(folders, TOKEN).post("/api/add", json={"url": "/etc/passwd"}, headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 400


def test_with_the_token_a_page_is_fetched_indexed_and_searchable(folders, web_server):
    client = client_for(folders, TOKEN)
    response = client.post("/api/add", json={"url": f"{web_server}/2024/03/11/drone.html"}, headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert len(body["added"]) == 1 and body["stored"].startswith("127.0.0.1-")
    assert client.get("/api/search?q=tatarstan").get_json()["total"] == 1
