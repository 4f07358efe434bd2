"""Chapter 10, 注意力机制 (Attention Mechanisms)."""

# The exercises of this chapter, in book order: module.name -> zh.d2l.ai section.
# Everything else (stubs, checks' ids, the gradebook's columns, notebooks) is derived from here.
EXERCISES = {
    "nadaraya_watson.average_pooling": "10.2.2",
    "nadaraya_watson.nonparametric_pooling": "10.2.3",
    "nadaraya_watson.leave_one_out": "10.2.4",
    "nadaraya_watson.NWKernelRegression": "10.2.4",
    "attention_scoring.sequence_mask": "9.7.3",
    "attention_scoring.masked_softmax": "10.3.1",
    "attention_scoring.AdditiveAttention": "10.3.2",
    "attention_scoring.DotProductAttention": "10.3.3",
    "multihead_attention.transpose_qkv": "10.5.2",
    "multihead_attention.transpose_output": "10.5.2",
    "multihead_attention.MultiHeadAttention": "10.5.2",
    "self_attention.PositionalEncoding": "10.6.3",
}
