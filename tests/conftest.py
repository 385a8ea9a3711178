"""Test-wide guarantees: dummy credentials, no AWS config from the machine, and no
connection outside loopback (a test that would reach AWS fails instead)."""

from __future__ import annotations

import functools
import gc
import os
from typing import Any

import botocore.endpoint_provider
import botocore.hooks
import botocore.loaders
import botocore.retries.standard
import botocore.session
import pytest

from imagegen_local import netguard

os.environ.update(
    AWS_ACCESS_KEY_ID="testing",
    AWS_SECRET_ACCESS_KEY="testing",
    AWS_SESSION_TOKEN="testing",
    AWS_DEFAULT_REGION="us-west-2",
    AWS_REGION="us-west-2",
    AWS_CONFIG_FILE=os.devnull,
    AWS_SHARED_CREDENTIALS_FILE=os.devnull,
    AWS_EC2_METADATA_DISABLED="true",
)
for name in [n for n in os.environ if n == "AWS_PROFILE" or n.startswith("AWS_ENDPOINT_URL")]:
    del os.environ[name]  # endpoints are set by the tests that start local servers, and only there

netguard.loopback_only()  # a test that would reach AWS fails instead

# Every boto3 session a test makes (each CLI run in-process, each handler's runtime) would parse
# botocore's service models and endpoint rules again: most of an end-to-end test's time. The
# files do not change during a run, so the sessions share one loader, as one session's clients do.
botocore.session.create_loader = functools.cache(botocore.loaders.create_loader)

# Each client also builds its service's endpoint rules (a tree of some hundreds of rules) from
# that loaded data again: about 4 s of a run. The rules are read-only once built, so clients of
# the same data share them.
_RULESETS: dict[tuple[int, int], tuple[object, object, botocore.endpoint_provider.RuleSet]] = {}


def _shared_rules(self: Any, ruleset_data: Any, partition_data: Any, excluded_params: Any = None) -> None:
    key = (id(ruleset_data), id(partition_data))
    found = _RULESETS.get(key)
    if found is None or found[0] is not ruleset_data or found[1] is not partition_data:
        found = (
            ruleset_data,
            partition_data,
            botocore.endpoint_provider.RuleSet(**ruleset_data, partitions=partition_data),
        )
        _RULESETS[key] = found  # the data is kept with its rules: its id is not reused while the rules are
    self.ruleset = found[2]
    self._excluded_params = excluded_params or frozenset()


botocore.endpoint_provider.EndpointProvider.__init__ = _shared_rules  # type: ignore[method-assign]

# Each session and each client (a copy of its session's events) translates event names through
# botocore's aliases again, with a cache of its own that starts empty: some 5 s of a run. The
# translation depends on the aliases alone, so emitters with the same aliases share one cache.
_ALIAS_CACHES: dict[tuple[tuple[str, str], ...], dict[str, str]] = {}
_aliaser_init = botocore.hooks.EventAliaser.__init__


def _shared_alias_cache(self: Any, event_emitter: Any, event_aliases: Any = None) -> None:
    _aliaser_init(self, event_emitter, event_aliases)
    self._alias_name_cache = _ALIAS_CACHES.setdefault(tuple(self._event_aliases.items()), {})


botocore.hooks.EventAliaser.__init__ = _shared_alias_cache  # type: ignore[method-assign]

# botocore's own backoff between S3 attempts (up to seconds, at random, for a 503 SlowDown) is
# real time that no test measures: the attempts still happen, without the sleep between them.
# The project's retries wait on the request's clock, which the tests control.
botocore.retries.standard.ExponentialBackoff.delay_amount = lambda self, context: 0


@pytest.fixture
def bedrock_runtime():
    """A real bedrock-runtime client in us-west-2; pair it with botocore's Stubber."""
    import boto3

    return boto3.client("bedrock-runtime", region_name="us-west-2")


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: object) -> object:
    """`make test` runs on two workers (pytest-xdist), a module at a time, except that the
    infrastructure tests all go to one worker: they share one synthesis of every configuration,
    which is the suite's largest fixture. (xdist's own `--dist loadgroup` cannot be used: on
    pytest 9 its group suffix no longer reaches the node ids.)"""
    from xdist.scheduler import LoadScopeScheduling

    class InfraOnOneWorker(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return "tests/infra" if nodeid.startswith("tests/infra/") else super()._split_scope(nodeid)

        def _assign_work_unit(self, node: object) -> None:
            # The infrastructure unit is the longest (some 40 s): first, so that the other worker
            # works through the modules meanwhile and neither waits for it at the end.
            if "tests/infra" in self.workqueue:
                self.workqueue.move_to_end("tests/infra", last=False)
            super()._assign_work_unit(node)

    return InfraOnOneWorker(config, log)


def pytest_collection_finish(session: pytest.Session) -> None:
    """What is loaded by now (botocore's models, moto, hypothesis, every test module: some 300,000
    objects) lives as long as the run: it is put out of the garbage collector's reach, and the
    collector runs less often (after 10,000 allocations, not 700; a full collection after 400 of
    those): most of what a test makes is freed by reference counting before a collection would
    walk it. Collections took some 3 s of 40; now 1.5."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(10_000, 20, 20)
