"""The query embedder: a turn's texts in one pass, recent ones kept, concurrent callers batched."""

import threading

import numpy as np
import pytest

from rag.embed import Embedder


def test_a_turns_queries_come_back_in_order_equal_to_encoding_each_and_read_only(embedder: Embedder):
    texts = ["firm lump beside L3, next imaging?", "what dose of gadolinium", "firm lump beside L3, next imaging?"]
    vectors = embedder.encode_queries(texts)
    assert len(vectors) == 3 and vectors[0] is vectors[2]
    for text, vector in zip(texts, vectors, strict=True):
        assert np.allclose(vector, embedder.encode([text])[0], atol=1e-5)
        with pytest.raises(ValueError):
            vector[0] = 1.0  # a kept vector is shared by later callers: nobody may change it
    assert embedder.encode_query(texts[1]) is vectors[1]


def test_concurrent_callers_each_get_their_own_texts_vector(embedder: Embedder):
    texts = [f"question number {n} about a lump" for n in range(12)]
    got: dict[str, np.ndarray] = {}

    def ask(text: str) -> None:
        got[text] = embedder.encode_query(text)

    threads = [threading.Thread(target=ask, args=(t,)) for t in texts]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    expected = embedder.encode(texts)
    for text, want in zip(texts, expected, strict=True):
        assert np.allclose(got[text], want, atol=1e-5)
