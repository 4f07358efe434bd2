"""Links to the book's pages: zh.d2l.ai (the v2 numbering this suite follows) and d2l.ai (1.0).

The page names are the books' own (the ``toc`` of each chapter's ``index.md`` in d2l-ai/d2l-zh and
d2l-ai/d2l-en), in chapter order, so section ``3.6`` of zh.d2l.ai is the sixth page of
``chapter_linear-networks``. Page-level links: the books' anchors are generated and not stable.
"""
from __future__ import annotations

from autograder import book

ZH_SITE, EN_SITE = "https://zh.d2l.ai", "https://d2l.ai"

# chapter number -> (folder, pages in order)
ZH_PAGES = {
    "2": ("chapter_preliminaries", ("ndarray", "pandas", "linear-algebra", "calculus", "autograd", "probability",
                                    "lookup-api")),
    "3": ("chapter_linear-networks", ("linear-regression", "linear-regression-scratch", "linear-regression-concise",
                                      "softmax-regression", "image-classification-dataset",
                                      "softmax-regression-scratch", "softmax-regression-concise")),
    "4": ("chapter_multilayer-perceptrons", ("mlp", "mlp-scratch", "mlp-concise", "underfit-overfit", "weight-decay",
                                             "dropout", "backprop", "numerical-stability-and-init", "environment",
                                             "kaggle-house-price")),
    "5": ("chapter_deep-learning-computation", ("model-construction", "parameters", "deferred-init", "custom-layer",
                                                "read-write", "use-gpu")),
    "6": ("chapter_convolutional-neural-networks", ("why-conv", "conv-layer", "padding-and-strides", "channels",
                                                    "pooling", "lenet")),
    "7": ("chapter_convolutional-modern", ("alexnet", "vgg", "nin", "googlenet", "batch-norm", "resnet", "densenet")),
    "8": ("chapter_recurrent-neural-networks", ("sequence", "text-preprocessing", "language-models-and-dataset", "rnn",
                                                "rnn-scratch", "rnn-concise", "bptt")),
    "9": ("chapter_recurrent-modern", ("gru", "lstm", "deep-rnn", "bi-rnn", "machine-translation-and-dataset",
                                       "encoder-decoder", "seq2seq", "beam-search")),
    "10": ("chapter_attention-mechanisms", ("attention-cues", "nadaraya-waston", "attention-scoring-functions",
                                            "bahdanau-attention", "multihead-attention",
                                            "self-attention-and-positional-encoding", "transformer")),
}

EN_PAGES = {
    "2": ("chapter_preliminaries", ("ndarray", "pandas", "linear-algebra", "calculus", "autograd", "probability",
                                    "lookup-api")),
    "3": ("chapter_linear-regression", ("linear-regression", "oo-design", "synthetic-regression-data",
                                        "linear-regression-scratch", "linear-regression-concise", "generalization",
                                        "weight-decay")),
    "4": ("chapter_linear-classification", ("softmax-regression", "image-classification-dataset", "classification",
                                            "softmax-regression-scratch", "softmax-regression-concise",
                                            "generalization-classification", "environment-and-distribution-shift")),
    "5": ("chapter_multilayer-perceptrons", ("mlp", "mlp-implementation", "backprop", "numerical-stability-and-init",
                                             "generalization-deep", "dropout", "kaggle-house-price")),
    "6": ("chapter_builders-guide", ("model-construction", "parameters", "init-param", "lazy-init", "custom-layer",
                                     "read-write", "use-gpu")),
    "7": ("chapter_convolutional-neural-networks", ("why-conv", "conv-layer", "padding-and-strides", "channels",
                                                    "pooling", "lenet")),
    "8": ("chapter_convolutional-modern", ("alexnet", "vgg", "nin", "googlenet", "batch-norm", "resnet", "densenet",
                                           "cnn-design")),
    "9": ("chapter_recurrent-neural-networks", ("sequence", "text-sequence", "language-model", "rnn", "rnn-scratch",
                                                "rnn-concise", "bptt")),
    "10": ("chapter_recurrent-modern", ("lstm", "gru", "deep-rnn", "bi-rnn", "machine-translation-and-dataset",
                                        "encoder-decoder", "seq2seq", "beam-search")),
    "11": ("chapter_attention-mechanisms-and-transformers", ("queries-keys-values", "attention-pooling",
                                                             "attention-scoring-functions", "bahdanau-attention",
                                                             "multihead-attention",
                                                             "self-attention-and-positional-encoding", "transformer",
                                                             "vision-transformer",
                                                             "large-pretraining-transformers")),
}


def _page(site: str, table: dict, number: str) -> str:
    chapter, _, index = number.partition(".")
    folder, pages = table[chapter]
    return f"{site}/{folder}/{pages[int(index) - 1]}.html"


def section_key(number: str) -> str:
    """``"3.6.2"`` -> ``"3.6"`` (the page a subsection is on)."""
    return ".".join(str(number).lstrip("§").split(".")[:2])


def links(number: str) -> dict:
    """The book's pages for a section (``"3.6.2"``, or ``"3.6"``)::

        {"zh": {"number": "3.6.2", "title": "softmax回归的从零开始实现", "url": "https://zh.d2l.ai/..."},
         "en": {"number": "4.4", "title": "Softmax Regression ...", "url": "https://d2l.ai/..."}}
    """
    key = section_key(number)
    zh_title, en_number, en_title = book.SECTIONS[key]
    return {"zh": {"number": str(number).lstrip("§"), "title": zh_title, "url": _page(ZH_SITE, ZH_PAGES, key)},
            "en": {"number": en_number, "title": en_title, "url": _page(EN_SITE, EN_PAGES, en_number)}}


def chapter_number(chapter: str) -> str:
    """``"ch3"`` -> ``"3"``."""
    return chapter.removeprefix("ch")
