"""What a reply cost, in US dollars.

Prices are the ones the providers publish for GLM-5.2 (shared/seeds/). They apply only to
that model on that provider: when the user points a provider at another model, the price
is unknown rather than wrong. A cost the provider reports itself (Hyperstack's
`usage.estimated_cost`) always wins over the table.
"""

from __future__ import annotations

from dataclasses import dataclass

from .types import Usage

PER_MILLION = 1_000_000


@dataclass(frozen=True)
class Price:
    """USD per million tokens; `cached_input` None means cached input costs full price."""

    input: float
    output: float
    cached_input: float | None = None


# (provider, model id) -> price. NVIDIA and Evolink publish no price in the seeds, and a
# generic OpenAI-compatible server could be anything, so they are absent: cost unknown.
PRICES: dict[tuple[str, str], Price] = {
    ("hyperstack", "zai-org/GLM-5.2"): Price(input=0.97, output=3.06),
    ("cloudflare", "@cf/zai-org/glm-5.2"): Price(input=1.40, output=4.40, cached_input=0.26),
    ("ourtoken", "glm-5.2"): Price(input=0.84, output=2.64, cached_input=0.156),
}


def price_for(provider: str, model: str) -> Price | None:
    """The published price of `model` on `provider`, or None when nobody published one."""
    return PRICES.get((provider, model))


def estimate_cost(usage: Usage, price: Price | None) -> float | None:
    """Price a reply: cached prompt tokens at the cached rate, the rest at the input rate.

    Reasoning tokens are billed as output and are already part of `completion_tokens`
    (Hyperstack says so explicitly), so they are not added again.
    """
    if price is None:
        return None
    cached = min(usage.cached_tokens, usage.prompt_tokens)
    cached_rate = price.input if price.cached_input is None else price.cached_input
    dollars = (
        (usage.prompt_tokens - cached) * price.input
        + cached * cached_rate
        + usage.completion_tokens * price.output
    )
    return dollars / PER_MILLION


def cache_savings(usage: Usage, price: Price | None) -> float:
    """What the provider's prefix cache took off the bill: the cached prompt tokens at the
    input rate minus the same tokens at the cached rate (0 without a price or a cheaper
    cached rate)."""
    if price is None or price.cached_input is None:
        return 0.0
    cached = min(usage.cached_tokens, usage.prompt_tokens)
    return cached * (price.input - price.cached_input) / PER_MILLION
