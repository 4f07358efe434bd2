"""Book sections in both numberings: zh.d2l.ai v2 (the chapters this suite follows) and d2l.ai 1.0; the book's
code as our catalog of book answers holds it (``tests/book``)."""
from __future__ import annotations

import ast
import importlib
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# zh section: (zh title, d2l.ai section, d2l.ai title)
SECTIONS = {
    "2.1": ("数据操作", "2.1", "Data Manipulation"),
    "2.2": ("数据预处理", "2.2", "Data Preprocessing"),
    "2.3": ("线性代数", "2.3", "Linear Algebra"),
    "2.4": ("微积分", "2.4", "Calculus"),
    "2.5": ("自动微分", "2.5", "Automatic Differentiation"),
    "2.6": ("概率", "2.6", "Probability and Statistics"),
    "3.1": ("线性回归", "3.1", "Linear Regression"),
    "3.2": ("线性回归的从零开始实现", "3.4", "Linear Regression Implementation from Scratch"),
    "3.3": ("线性回归的简洁实现", "3.5", "Concise Implementation of Linear Regression"),
    "3.4": ("softmax回归", "4.1", "Softmax Regression"),
    "3.5": ("图像分类数据集", "4.2", "The Image Classification Dataset"),
    "3.6": ("softmax回归的从零开始实现", "4.4", "Softmax Regression Implementation from Scratch"),
    "3.7": ("softmax回归的简洁实现", "4.5", "Concise Implementation of Softmax Regression"),
    "4.1": ("多层感知机", "5.1", "Multilayer Perceptrons"),
    "4.2": ("多层感知机的从零开始实现", "5.2", "Implementation of Multilayer Perceptrons"),
    "4.3": ("多层感知机的简洁实现", "5.2", "Implementation of Multilayer Perceptrons"),
    "4.4": ("模型选择、欠拟合和过拟合", "3.6", "Generalization"),
    "4.5": ("权重衰减", "3.7", "Weight Decay"),
    "4.6": ("暂退法（Dropout）", "5.6", "Dropout"),
    "4.7": ("前向传播、反向传播和计算图", "5.3", "Forward Propagation, Backward Propagation, and Computational Graphs"),
    "4.8": ("数值稳定性和模型初始化", "5.4", "Numerical Stability and Initialization"),
    "4.9": ("环境和分布偏移", "4.7", "Environment and Distribution Shift"),
    "4.10": ("实战Kaggle比赛：预测房价", "5.7", "Predicting House Prices on Kaggle"),
    "5.1": ("层和块", "6.1", "Layers and Modules"),
    "5.2": ("参数管理", "6.2", "Parameter Management"),
    "5.3": ("延后初始化", "6.4", "Lazy Initialization"),
    "5.4": ("自定义层", "6.5", "Custom Layers"),
    "5.5": ("读写文件", "6.6", "File I/O"),
    "5.6": ("GPU", "6.7", "GPUs"),
    "6.1": ("从全连接层到卷积", "7.1", "From Fully Connected Layers to Convolutions"),
    "6.2": ("图像卷积", "7.2", "Convolutions for Images"),
    "6.3": ("填充和步幅", "7.3", "Padding and Stride"),
    "6.4": ("多输入多输出通道", "7.4", "Multiple Input and Multiple Output Channels"),
    "6.5": ("汇聚层", "7.5", "Pooling"),
    "6.6": ("卷积神经网络（LeNet）", "7.6", "Convolutional Neural Networks (LeNet)"),
    "7.1": ("深度卷积神经网络（AlexNet）", "8.1", "Deep Convolutional Neural Networks (AlexNet)"),
    "7.2": ("使用块的网络（VGG）", "8.2", "Networks Using Blocks (VGG)"),
    "7.3": ("网络中的网络（NiN）", "8.3", "Network in Network (NiN)"),
    "7.4": ("含并行连结的网络（GoogLeNet）", "8.4", "Multi-Branch Networks (GoogLeNet)"),
    "7.5": ("批量规范化", "8.5", "Batch Normalization"),
    "7.6": ("残差网络（ResNet）", "8.6", "Residual Networks (ResNet) and ResNeXt"),
    "7.7": ("稠密连接网络（DenseNet）", "8.7", "Densely Connected Networks (DenseNet)"),
    "8.1": ("序列模型", "9.1", "Working with Sequences"),
    "8.2": ("文本预处理", "9.2", "Converting Raw Text into Sequence Data"),
    "8.3": ("语言模型和数据集", "9.3", "Language Models"),
    "8.4": ("循环神经网络", "9.4", "Recurrent Neural Networks"),
    "8.5": ("循环神经网络的从零开始实现", "9.5", "Recurrent Neural Network Implementation from Scratch"),
    "8.6": ("循环神经网络的简洁实现", "9.6", "Concise Implementation of Recurrent Neural Networks"),
    "8.7": ("通过时间反向传播", "9.7", "Backpropagation Through Time"),
    "9.1": ("门控循环单元（GRU）", "10.2", "Gated Recurrent Units (GRU)"),
    "9.2": ("长短期记忆网络（LSTM）", "10.1", "Long Short-Term Memory (LSTM)"),
    "9.3": ("深度循环神经网络", "10.3", "Deep Recurrent Neural Networks"),
    "9.4": ("双向循环神经网络", "10.4", "Bidirectional Recurrent Neural Networks"),
    "9.5": ("机器翻译与数据集", "10.5", "Machine Translation and the Dataset"),
    "9.6": ("编码器-解码器架构", "10.6", "The Encoder-Decoder Architecture"),
    "9.7": ("序列到序列学习（seq2seq）", "10.7", "Sequence-to-Sequence Learning for Machine Translation"),
    "9.8": ("束搜索", "10.8", "Beam Search"),
    "10.1": ("注意力提示", "11.1", "Queries, Keys, and Values"),
    "10.2": ("注意力汇聚：Nadaraya-Watson 核回归", "11.2", "Attention Pooling by Similarity"),
    "10.3": ("注意力评分函数", "11.3", "Attention Scoring Functions"),
    "10.4": ("Bahdanau 注意力", "11.4", "The Bahdanau Attention Mechanism"),
    "10.5": ("多头注意力", "11.5", "Multi-Head Attention"),
    "10.6": ("自注意力和位置编码", "11.6", "Self-Attention and Positional Encoding"),
    "10.7": ("Transformer", "11.7", "The Transformer Architecture"),
}

CHAPTERS = {
    "ch2": "预备知识 (Preliminaries)",
    "ch3": "线性神经网络 (Linear Neural Networks)",
    "ch4": "多层感知机 (Multilayer Perceptrons)",
    "ch5": "深度学习计算 (Builders' Guide)",
    "ch6": "卷积神经网络 (Convolutional Neural Networks)",
    "ch7": "现代卷积神经网络 (Modern Convolutional Neural Networks)",
    "ch8": "循环神经网络 (Recurrent Neural Networks)",
    "ch9": "现代循环神经网络 (Modern Recurrent Neural Networks)",
    "ch10": "注意力机制 (Attention Mechanisms)",
}


def cite(number: str) -> str:
    """``cite("3.6.2")`` -> ``"§3.6.2 softmax回归的从零开始实现 (d2l.ai §4.4 Softmax Regression ...)"``."""
    parts = number.split(".")
    key = ".".join(parts[:2])
    if key not in SECTIONS:
        raise KeyError(f"unknown book section {number!r}: add it to autograder/book.py")
    zh_title, en_number, en_title = SECTIONS[key]
    return f"§{number} {zh_title} (d2l.ai §{en_number} {en_title})"


def book_catalog(chapter: str):
    """``tests/book/chN.py`` (imported: the maintainers' and the grader's, never the student's), or None."""
    tests = str(ROOT / "tests")
    if not (ROOT / "tests" / "book" / f"{chapter}.py").exists():
        return None
    if tests not in sys.path:
        sys.path.insert(0, tests)
    return importlib.import_module(f"book.{chapter}")


def book_code(chapter: str) -> list[tuple[str, str]]:
    """``[(exercise, code), ...]``: the book's code of each exercise of ``chapter`` that has some, in the book's
    order: an answer's source (for one written as replacements, ``answer_definition`` and their texts), and
    for ``BOOK_IS_REFERENCE`` the reference's definition (the book's code, line for line); docstrings left out."""
    module = book_catalog(chapter)
    if module is None:
        return []
    found = []
    for answer in module.ANSWERS:
        texts = [answer.source] if answer.source else [answer_definition(chapter, answer)] + \
            [t for pair in answer.replace for t in pair]
        found += [(answer.exercise, t) for t in texts if t.strip()]
    found += [(exercise, reference_definition(chapter, exercise))
              for exercise in getattr(module, "BOOK_IS_REFERENCE", ())]
    from autograder.harness.registry import exercises_of
    order = {f"{e.module}.{e.name}": e.order for e in exercises_of(chapter).values()}
    return sorted(found, key=lambda item: order.get(item[0], len(order)))


def reference_definition(chapter: str, exercise: str) -> str:
    """The reference's definition of ``exercise`` as it is written, without its docstring: for an exercise of
    ``BOOK_IS_REFERENCE``, the book's code."""
    return definition(_reference_text(chapter, exercise), exercise.rsplit(".", 1)[1])


def answer_definition(chapter: str, answer) -> str:
    """The definition of a book answer's exercise in the reference module with the answer in it."""
    return definition(answer.apply(_reference_text(chapter, answer.exercise)), answer.exercise.rsplit(".", 1)[1])


def _reference_text(chapter: str, exercise: str) -> str:
    return (ROOT / "solutions" / chapter / f"{exercise.rsplit('.', 1)[0]}.py").read_text(encoding="utf-8")


def definition(text: str, name: str) -> str:
    """The last top-level definition of ``name`` in the module ``text`` (the one that counts), without its
    docstring."""
    node = [n for n in ast.parse(text).body if getattr(n, "name", None) == name][-1]
    lines = text.splitlines(keepends=True)[node.lineno - 1:node.end_lineno]
    if ast.get_docstring(node) is not None:
        doc = node.body[0]
        start, end = doc.lineno - node.lineno, doc.end_lineno - node.lineno + 1
        blank = end < len(lines) and not lines[end].strip()
        lines = lines[:start] + lines[end + blank:]
    return "".join(lines)
