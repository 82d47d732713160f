"""What the engine reads of a policy (`vixshield.strategy.Policy` has it all).

Structural types, so that tests can run the engine with a hand-built policy and a
scripted `vixshield.strategy.types.DecideFn`.
"""

from __future__ import annotations

from typing import Protocol

__all__ = ["PolicyLike"]


class _AccountSpec(Protocol):
    @property
    def capital(self) -> float: ...
    @property
    def cash_yield(self) -> bool: ...


class _CostSpec(Protocol):
    @property
    def commission_per_contract(self) -> float: ...
    @property
    def fees_per_contract(self) -> float: ...
    @property
    def spread_share(self) -> float: ...


class _HedgeSpec(Protocol):
    @property
    def budget_basis(self) -> str: ...


class PolicyLike(Protocol):
    """The policy attributes the engine reads: name, account, costs (the parameters of
    `vixshield.markets.costs.CostModel`) and the hedge budget basis."""

    @property
    def name(self) -> str: ...
    @property
    def account(self) -> _AccountSpec: ...
    @property
    def costs(self) -> _CostSpec: ...
    @property
    def hedge(self) -> _HedgeSpec: ...
