"""Models, prices and line items that usage and costs are reported in."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class TokenPrice:
    """A model and its list price in picodollars per token (input, cached input, output)."""

    model: str
    input: int
    cached: int
    output: int


COMPLETION_MODELS: tuple[TokenPrice, ...] = (
    TokenPrice("gpt-4o-2024-08-06", 2_500_000, 1_250_000, 10_000_000),
    TokenPrice("gpt-4o-mini-2024-07-18", 150_000, 75_000, 600_000),
    TokenPrice("o3-mini-2025-01-31", 1_100_000, 550_000, 4_400_000),
    TokenPrice("gpt-4.1-2025-04-14", 2_000_000, 500_000, 8_000_000),
    TokenPrice("gpt-4.1-mini-2025-04-14", 400_000, 100_000, 1_600_000),
    TokenPrice("gpt-4.1-nano-2025-04-14", 100_000, 25_000, 400_000),
    TokenPrice("o4-mini-2025-04-16", 1_100_000, 275_000, 4_400_000),
)
EMBEDDING_MODELS: tuple[TokenPrice, ...] = (
    TokenPrice("text-embedding-3-small", 20_000, 0, 0),
    TokenPrice("text-embedding-3-large", 130_000, 0, 0),
    TokenPrice("text-embedding-ada-002-v2", 100_000, 0, 0),
)
CODE_INTERPRETER_SESSION_PRICE = 30_000_000_000  # $0.03 per session
SERVICE_TIERS: tuple[str, ...] = ("default", "flex")
DISCOUNT_DIVISOR = 2  # batch and flex requests are billed at half price

COMPLETION_KINDS: tuple[str, ...] = ("input", "cached input", "output")
PRICE_PREFIXES: tuple[str, ...] = ("", "batch ", "flex ")  # indexed by _price_class(batch, tier)
CODE_INTERPRETER_LINE_ITEM = "code interpreter sessions"


def _build_line_items() -> tuple[str, ...]:
    items = [
        f"{price.model}, {prefix}{kind}"
        for price in COMPLETION_MODELS
        for prefix in PRICE_PREFIXES
        for kind in COMPLETION_KINDS
    ]
    items += [f"{price.model}, input" for price in EMBEDDING_MODELS]
    items.append(CODE_INTERPRETER_LINE_ITEM)
    return tuple(items)


LINE_ITEMS: tuple[str, ...] = _build_line_items()
LINE_ITEM_INDEX: dict[str, int] = {name: i for i, name in enumerate(LINE_ITEMS)}


def line_item_unit(line_item: str) -> str:
    """The quantity unit reported for a line item."""
    return "sessions" if line_item == CODE_INTERPRETER_LINE_ITEM else "tokens"


def completion_cost(model: str, *, batch: bool, service_tier: str, input_tokens: int, cached: int, output: int) -> int:
    """Cost in picodollars of completions usage; the price table every cost in the sample is derived from."""
    price = next(p for p in COMPLETION_MODELS if p.model == model)
    divisor = DISCOUNT_DIVISOR if batch or service_tier == "flex" else 1
    uncached = input_tokens - cached
    return (uncached * price.input + cached * price.cached + output * price.output) // divisor


# --------------------------------------------------------------------------- vocabularies of the other usage kinds

MODERATION_MODELS: tuple[str, ...] = ("omni-moderation-2024-09-26", "text-moderation-007")
IMAGE_MODELS: tuple[str, ...] = ("gpt-image-1", "dall-e-3", "dall-e-2")
IMAGE_SIZES: tuple[str, ...] = ("256x256", "512x512", "1024x1024", "1792x1792", "1024x1792")  # the spec's enum
IMAGE_SOURCES: tuple[str, ...] = ("image.generation", "image.edit", "image.variation")  # the spec's enum
IMAGE_MODEL_SIZES: tuple[tuple[int, ...], ...] = ((2, 4), (2, 3, 4), (0, 1, 2))  # indices into IMAGE_SIZES per model
IMAGE_MODEL_SOURCES: tuple[tuple[int, ...], ...] = ((0, 0, 1), (0,), (0, 1, 2))  # indices into IMAGE_SOURCES
SPEECH_MODELS: tuple[str, ...] = ("tts-1", "tts-1-hd", "gpt-4o-mini-tts")
TRANSCRIPTION_MODELS: tuple[str, ...] = ("whisper-1", "gpt-4o-transcribe", "gpt-4o-mini-transcribe")
WEB_SEARCH_MODELS: tuple[str, ...] = ("gpt-4o-2024-08-06", "gpt-4o-mini-2024-07-18", "gpt-4.1-2025-04-14")
CONTEXT_LEVELS: tuple[str, ...] = ("low", "medium", "high")  # the spec's enum
