"""Tokenizer parity fixtures, made with Hugging Face `tokenizers` (pip install tokenizers).

Run from the repository root:

    python3 tools/make_tokenizer_fixtures.py

Trains a BERT-style WordPiece tokenizer (lower-casing, accents stripped) and a GPT-2-style
byte-level BPE tokenizer on a small built-in corpus, writes both in the `tokenizer.json`
format users bring, and records the ids `tokenizers` gives for a set of probe sentences
(without special tokens) in `expected_ids.json`. The Swift tests load the same files and must
give the same ids.
"""
import json
import os

from tokenizers import ByteLevelBPETokenizer, BertWordPieceTokenizer

OUT = os.path.join("Tests", "FedBoneTextTests", "Fixtures")

CORPUS = [
    "The quick brown fox jumps over the lazy dog.",
    "A federated model learns from many clients without seeing their data.",
    "Split training keeps the large general model on the server!",
    "Clients hold small task heads: classification, tagging, and segmentation.",
    "Gradient conflicts between tasks are projected away (PCGrad, CAGrad, GradVac).",
    "Numbers like 3.14, 42 and 2026 appear in text; so do e-mail@example.org addresses.",
    "Café, naïve, résumé and Zürich carry accents that BERT strips.",
    "Tokenizers split words into pieces: unbelievable → un ##believ ##able.",
    "The server aggregates updates; each client trains its own head.",
    "It's what they'd said: we'll see, you're right, I'm sure, they've gone.",
] * 20

PROBES = [
    "The quick brown fox.",
    "Federated learning with split training!",
    "Unseen words: transformerization, hyperparameterisation.",
    "Café résumé ZÜRICH naïveté",
    "tabs\tand\nnewlines   and  spaces",
    "punctuation!?...;:--()[]{}",
    "numbers 1234567890 3.14159",
    "it's they'd we'll you're I'm they've",
    "emoji 🙂 and CJK 中文字 and ✓ marks",
    "a" * 120,
    "",
    "   leading and trailing   ",
]


def main():
    os.makedirs(OUT, exist_ok=True)
    wordpiece = BertWordPieceTokenizer(lowercase=True)
    wordpiece.train_from_iterator(CORPUS, vocab_size=300, min_frequency=1)
    wordpiece.save(os.path.join(OUT, "wordpiece.tokenizer.json"))
    bpe = ByteLevelBPETokenizer()
    bpe.train_from_iterator(CORPUS, vocab_size=400, min_frequency=1, special_tokens=["<pad>", "<unk>", "<s>", "</s>"])
    bpe.save(os.path.join(OUT, "bpe.tokenizer.json"))
    expected = {
        "probes": PROBES,
        "wordpiece": [wordpiece.encode(p, add_special_tokens=False).ids for p in PROBES],
        "wordpiece_tokens": [wordpiece.encode(p, add_special_tokens=False).tokens for p in PROBES],
        "bpe": [bpe.encode(p, add_special_tokens=False).ids for p in PROBES],
        "bpe_tokens": [bpe.encode(p, add_special_tokens=False).tokens for p in PROBES],
    }
    with open(os.path.join(OUT, "expected_ids.json"), "w", encoding="utf-8") as f:
        json.dump(expected, f, ensure_ascii=False, indent=1)
    for name in sorted(os.listdir(OUT)):
        print(f"{OUT}/{name}: {os.path.getsize(os.path.join(OUT, name))} bytes")


if __name__ == "__main__":
    main()
