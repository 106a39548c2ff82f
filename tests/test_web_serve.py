"""`search-web --processes N`: several real server processes behind one port."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest

from .helpers import alive, children_of, script, start_search_web, wait_for
from .web.conftest import SEEDS, seed_index  # noqa: F401  (fixture)


@pytest.fixture
def two_processes(seed_index, tmp_path):
    server, base = start_search_web(tmp_path / "server.log", "--index", str(seed_index), "--corpus", str(SEEDS),
                                    "--processes", "2", "--threads", "2")
    try:
        yield server, base
    finally:
        if server.poll() is None:
            server.kill()
            server.wait(timeout=10)


def test_two_processes_answer_searches_on_one_port(two_processes):
    server, base = two_processes
    assert len(children_of(server.pid)) == 2

    def total(_):
        with urllib.request.urlopen(f"{base}/api/search?q=howitzer", timeout=10) as response:
            return json.load(response)["total"]

    with ThreadPoolExecutor(8) as pool:
        totals = list(pool.map(total, range(40)))
    assert totals == [totals[0]] * 40 and totals[0] >= 1


def test_stopping_the_server_stops_every_process(two_processes):
    server, _ = two_processes
    workers = children_of(server.pid)
    server.send_signal(signal.SIGTERM)
    assert server.wait(timeout=15) == 0
    assert wait_for(lambda: not any(alive(pid) for pid in workers))


def test_a_server_process_that_dies_stops_the_rest_with_an_error(two_processes, tmp_path):
    server, _ = two_processes
    first, second = sorted(children_of(server.pid))
    os.kill(first, signal.SIGKILL)
    assert server.wait(timeout=15) == 1
    assert wait_for(lambda: not alive(second))
    assert f"server process {first} died (signal SIGKILL); stopping the others" in (tmp_path / "server.log").read_text()


@pytest.mark.parametrize("processes", ["1", "2"])
def test_a_port_in_use_is_a_one_line_error(seed_index, two_processes, processes):
    _, base = two_processes
    port = base.rsplit(":", 1)[1]
    result = subprocess.run([script("search-web"), "--port", port, "--processes", processes, "--index", str(seed_index)],
                            capture_output=True, text=True, timeout=30)
    assert result.returncode == 1
    assert result.stderr == f"Error: cannot listen on 127.0.0.1:{port}: Address already in use\n"


def test_an_address_that_does_not_resolve_is_a_one_line_error(seed_index):
    result = subprocess.run([script("search-web"), "--host", "no-such-host.invalid", "--index", str(seed_index)],
                            capture_output=True, text=True, timeout=30)
    assert result.returncode == 1
    assert result.stderr.startswith("Error: cannot listen on no-such-host.invalid:5000: ")
    assert len(result.stderr.splitlines()) == 1


def test_server_processes_end_when_their_parent_is_killed_outright(two_processes):
    server, _ = two_processes
    workers = children_of(server.pid)
    server.kill()
    server.wait(timeout=10)
    assert wait_for(lambda: not any(alive(pid) for pid in workers))
