"""Chapter 10 (注意力机制), public checks: the book's examples and the shapes it states."""
import math

import torch

from autograder.harness import assert_close, assert_tensor, check


# §10.2 Nadaraya-Watson kernel regression ----------------------------------------------------------

@check("nadaraya_watson.average_pooling", clauses="values")
def check_average_pooling_example(average_pooling):
    got = average_pooling(torch.arange(0, 5, 0.1), torch.tensor([1.0, 2.0, 6.0]))
    assert_close(got, torch.full((50,), 3.0), what="average_pooling(x_test = arange(0, 5, 0.1), y_train = [1, 2, 6])",
                 hint="one prediction per query, each the mean of y_train")


@check("nadaraya_watson.nonparametric_pooling", clauses="values")
def check_nonparametric_pooling_example(nonparametric_pooling):
    x_train, y_train = torch.tensor([0.0, 1.0, 3.0]), torch.tensor([1.0, 2.0, 4.0])
    y_hat, weights = nonparametric_pooling(torch.tensor([0.0, 3.0]), x_train, y_train)
    scores = -torch.tensor([[0.0, 1.0, 9.0], [9.0, 4.0, 0.0]]) / 2
    expected = torch.exp(scores) / torch.exp(scores).sum(1, keepdim=True)
    assert_close(weights, expected, what="the attention weights for queries [0, 3], keys [0, 1, 3]",
                 hint="row i: softmax over the keys of -(query_i - key_j)² / 2")
    assert_close(y_hat, expected @ y_train, what="y_hat for queries [0, 3], keys [0, 1, 3], values [1, 2, 4]")


@check("nadaraya_watson.leave_one_out", clauses="values")
def check_leave_one_out_example(leave_one_out):
    keys, values = leave_one_out(torch.tensor([1.0, 2.0, 3.0]), torch.tensor([10.0, 20.0, 30.0]))
    assert_close(keys, torch.tensor([[2.0, 3.0], [1.0, 3.0], [1.0, 2.0]]), what="keys for x_train = [1, 2, 3]",
                 hint="row i is x_train without entry i")
    assert_close(values, torch.tensor([[20.0, 30.0], [10.0, 30.0], [10.0, 20.0]]),
                 what="values for y_train = [10, 20, 30]")


def nw_example():
    return torch.arange(5.0), torch.rand(5, 4) * 5, torch.rand(5, 4)


@check("nadaraya_watson.NWKernelRegression", clauses="values")
def check_NWKernelRegression_shapes(NWKernelRegression):
    net = NWKernelRegression()
    out = net(*nw_example())
    assert_tensor(out, what="net(queries (5,), keys (5, 4), values (5, 4))", shape=(5,))


@check("nadaraya_watson.NWKernelRegression", clauses="weights")
def check_NWKernelRegression_weight_rows(NWKernelRegression):
    net = NWKernelRegression()
    net(*nw_example())
    weights = getattr(net, "attention_weights", None)
    assert_tensor(weights, what="net.attention_weights after a forward pass", shape=(5, 4))
    assert_close(weights.sum(1), torch.ones(5), what="the row sums of net.attention_weights",
                 hint="keep the softmax over the keys of each query (dim=1) in self.attention_weights")


# §10.3 attention scoring functions -------------------------------------------------------------

@check("attention_scoring.sequence_mask", clauses="values")
def check_sequence_mask_book_example(sequence_mask):
    got = sequence_mask(torch.tensor([[1, 2, 3], [4, 5, 6]]), torch.tensor([1, 2]))
    assert_close(got, torch.tensor([[1, 0, 0], [4, 5, 0]]), what="sequence_mask([[1, 2, 3], [4, 5, 6]], [1, 2])",
                 check_dtype=False)
    got = sequence_mask(torch.ones(2, 3, 4), torch.tensor([1, 2]), value=-1)
    expected = torch.ones(2, 3, 4)
    expected[0, 1:], expected[1, 2:] = -1, -1
    assert_close(got, expected, what="sequence_mask(ones(2, 3, 4), [1, 2], value=-1)",
                 hint="mask along axis 1: whole rows X[i, j, :] with j >= valid_len[i]")


@check("attention_scoring.masked_softmax", clauses="values", substitute=("sequence_mask",))
def check_masked_softmax_book_example(masked_softmax):
    X = torch.rand(2, 2, 4)
    for valid_lens, lens in ((torch.tensor([2, 3]), [[2, 2], [3, 3]]), (torch.tensor([[1, 3], [2, 4]]), [[1, 3], [2, 4]])):
        got = masked_softmax(X.clone(), valid_lens)
        assert_tensor(got, what=f"masked_softmax(rand(2, 2, 4), {valid_lens.tolist()})", shape=(2, 2, 4))
        for b in range(2):
            for q in range(2):
                n = lens[b][q]
                assert_close(got[b, q, n:], torch.zeros(4 - n), what=f"weights past valid length {n} in row "
                             f"({b}, {q}) for valid_lens {valid_lens.tolist()}", atol=1e-6, rtol=0)
                assert_close(got[b, q].sum(), 1.0, what=f"the sum of row ({b}, {q}) for valid_lens {valid_lens.tolist()}")


def book_attention_inputs():
    """The book's example: keys all ones, the two value matrices equal, valid lengths 2 and 6."""
    keys = torch.ones((2, 10, 2))
    values = torch.arange(40, dtype=torch.float32).reshape(1, 10, 4).repeat(2, 1, 1)
    return keys, values, torch.tensor([2, 6])


BOOK_OUTPUT = torch.tensor([[[2.0, 3.0, 4.0, 5.0]], [[10.0, 11.0, 12.0, 13.0]]])


# equal keys get equal weights: 1/2 on the first 2 keys of example 0, 1/6 on the first 6 of example 1
BOOK_WEIGHTS = torch.tensor([[[0.5] * 2 + [0.0] * 8], [[1 / 6] * 6 + [0.0] * 4]])


def _book_attention_output(attention, queries, name):
    """The book's example in eval mode (its dropout must do nothing there)."""
    keys, values, valid_lens = book_attention_inputs()
    attention.eval()
    out = attention(queries, keys, values, valid_lens)
    assert_close(out, BOOK_OUTPUT, what=f"{name} in eval mode on the book's example (keys all ones, valid_lens [2, 6])",
                 hint="equal keys get equal weights: the mean of the first 2 (then 6) value rows; in eval mode "
                      "dropout must do nothing (nn.Dropout, not F.dropout without training=self.training)")


def _book_attention_weights(attention, queries, name):
    keys, values, valid_lens = book_attention_inputs()
    attention.eval()
    attention(queries, keys, values, valid_lens)
    assert_close(getattr(attention, "attention_weights", None), BOOK_WEIGHTS,
                 what=f"{name}.attention_weights after the book's example (keys all ones, valid_lens [2, 6])",
                 hint="keep the masked softmax of the scores (before dropout) in self.attention_weights")


def additive_book(AdditiveAttention):
    return AdditiveAttention(key_size=2, query_size=20, num_hiddens=8, dropout=0.1), torch.normal(0, 1, (2, 1, 20))


@check("attention_scoring.AdditiveAttention", clauses=("values", "dropout"), substitute=("masked_softmax",))
def check_AdditiveAttention_book_example(AdditiveAttention):
    _book_attention_output(*additive_book(AdditiveAttention), "AdditiveAttention(2, 20, 8, dropout=0.1)")


@check("attention_scoring.AdditiveAttention", clauses="weights", substitute=("masked_softmax",))
def check_AdditiveAttention_book_weights(AdditiveAttention):
    _book_attention_weights(*additive_book(AdditiveAttention), "AdditiveAttention(2, 20, 8, dropout=0.1)")


@check("attention_scoring.DotProductAttention", clauses=("values", "dropout"), substitute=("masked_softmax",))
def check_DotProductAttention_book_example(DotProductAttention):
    _book_attention_output(DotProductAttention(dropout=0.5), torch.normal(0, 1, (2, 1, 2)), "DotProductAttention(0.5)")


@check("attention_scoring.DotProductAttention", clauses="weights", substitute=("masked_softmax",))
def check_DotProductAttention_book_weights(DotProductAttention):
    _book_attention_weights(DotProductAttention(dropout=0.5), torch.normal(0, 1, (2, 1, 2)), "DotProductAttention(0.5)")


# §10.5 multi-head attention -----------------------------------------------------------------------

@check("multihead_attention.transpose_qkv", clauses="values")
def check_transpose_qkv_example(transpose_qkv):
    X = torch.arange(24.0).reshape(2, 3, 4)
    got = transpose_qkv(X, 2)
    assert_tensor(got, what="transpose_qkv(X (2, 3, 4), num_heads=2)", shape=(4, 3, 2))
    assert_close(got[1], torch.tensor([[2.0, 3.0], [6.0, 7.0], [10.0, 11.0]]),
                 what="transpose_qkv(arange(24).reshape(2, 3, 4), 2)[1] (head 1 of example 0)",
                 hint="rows are (example, head) with the heads of one example next to each other")


@check("multihead_attention.transpose_output", clauses="values")
def check_transpose_output_example(transpose_output):
    X = torch.arange(24.0).reshape(4, 3, 2)
    got = transpose_output(X, 2)
    assert_tensor(got, what="transpose_output(X (4, 3, 2), num_heads=2)", shape=(2, 3, 4))
    assert_close(got[0, 0], torch.tensor([0.0, 1.0, 6.0, 7.0]),
                 what="transpose_output(arange(24).reshape(4, 3, 2), 2)[0, 0]",
                 hint="the first query of example 0 joins heads 0 and 1 (rows 0 and 1 of X)")


@check("multihead_attention.MultiHeadAttention", clauses="values",
       substitute=("transpose_qkv", "transpose_output", "DotProductAttention", "masked_softmax"))
def check_MultiHeadAttention_book_shapes(MultiHeadAttention):
    num_hiddens, num_heads = 100, 5
    attention = MultiHeadAttention(num_hiddens, num_hiddens, num_hiddens, num_hiddens, num_heads, 0.5)
    attention.eval()
    X, Y, valid_lens = torch.ones((2, 4, num_hiddens)), torch.ones((2, 6, num_hiddens)), torch.tensor([3, 2])
    assert_tensor(attention(X, Y, Y, valid_lens), what="MultiHeadAttention(100, ..., 5 heads)(X (2, 4, 100), "
                  "Y (2, 6, 100), Y, valid_lens [3, 2])", shape=(2, 4, 100))
    # §10.6.1 self-attention: queries, keys and values are the same sequence
    X = torch.ones((2, 4, num_hiddens))
    assert_tensor(attention(X, X, X, valid_lens), what="self-attention(X, X, X, valid_lens) for X (2, 4, 100)",
                  shape=(2, 4, 100))


# §10.6 positional encoding -----------------------------------------------------------------------

@check("self_attention.PositionalEncoding", clauses="values")
def check_PositionalEncoding_book_example(PositionalEncoding):
    encoding = PositionalEncoding(32, 0)
    encoding.eval()
    X = encoding(torch.zeros((1, 60, 32)))
    assert_tensor(X, what="PositionalEncoding(32, 0)(zeros(1, 60, 32))", shape=(1, 60, 32))
    assert_close(X[0, 0], torch.tensor([0.0, 1.0] * 16), what="the encoding of position 0 (sin 0, cos 0, ...)")
    expected = torch.tensor([math.sin(1), math.cos(1), math.sin(10 ** -0.25), math.cos(10 ** -0.25)])
    assert_close(X[0, 1, :4], expected, what="the first 4 columns of the encoding of position 1",
                 hint="P[i, 2j] = sin(i / 10000^(2j/d)), P[i, 2j+1] = cos(i / 10000^(2j/d))")


# =====================================================================================================
# §10.4 Bahdanau attention, §10.7 the Transformer (appended)
# =====================================================================================================

from torch import nn  # noqa: E402

from autograder.harness import student_side, type_name  # noqa: E402


def _interface_facts(AttentionDecoder):
    decoder = AttentionDecoder()
    facts = {"module": isinstance(decoder, nn.Module)}
    for name, call in (("init_state", lambda: decoder.init_state(torch.ones(2, 3))),
                       ("forward", lambda: decoder(torch.ones(2, 3), None)),
                       ("attention_weights", lambda: decoder.attention_weights)):
        try:
            call()
            facts[name] = "returned"
        except NotImplementedError:
            facts[name] = "raised"
        except Exception as e:  # noqa: BLE001
            facts[name] = f"raised {type(e).__name__}"
    return facts


@check("bahdanau_attention.AttentionDecoder", clauses="interface")
def check_AttentionDecoder_raises(AttentionDecoder):
    facts = student_side(_interface_facts, AttentionDecoder)
    assert facts["module"], "AttentionDecoder() should be an nn.Module"
    for name in ("init_state", "forward", "attention_weights"):
        assert facts[name] == "raised", \
            f"the interface's {name} should raise NotImplementedError (a subclass implements it); it {facts[name]}"


@check("bahdanau_attention.Seq2SeqAttentionDecoder", clauses="values")
def check_Seq2SeqAttentionDecoder_book_shapes(Seq2SeqAttentionDecoder):
    decoder = Seq2SeqAttentionDecoder(vocab_size=10, embed_size=8, num_hiddens=16, num_layers=2)
    decoder.eval()
    state = (torch.zeros(4, 7, 16), torch.zeros(2, 4, 16), None)    # what init_state makes of the encoder's outputs
    output, state = decoder(torch.zeros((4, 7), dtype=torch.long), state)
    assert_tensor(output, what="output of Seq2SeqAttentionDecoder(10, 8, 16, 2) for X (4, 7)", shape=(4, 7, 10))
    assert isinstance(state, (list, tuple)) and len(state) == 3, \
        f"the state should be [enc_outputs, hidden_state, enc_valid_lens], got {type_name(state)}"
    assert_tensor(state[0], what="enc_outputs in the state", shape=(4, 7, 16))
    assert_tensor(state[1], what="hidden_state in the state", shape=(2, 4, 16))


@check("transformer.PositionWiseFFN", clauses="values")
def check_PositionWiseFFN_book_shapes(PositionWiseFFN):
    ffn = PositionWiseFFN(4, 4, 8)
    ffn.eval()
    out = ffn(torch.ones((2, 3, 4)))
    assert_tensor(out, what="PositionWiseFFN(4, 4, 8)(ones(2, 3, 4))", shape=(2, 3, 8))
    assert_close(out[0], out[1], what="the outputs for two identical examples")
    assert_close(out[0, 0], out[0, 2], what="the outputs at two positions with the same input",
                 hint="the same MLP at every position")


@check("transformer.AddNorm", clauses="values")
def check_AddNorm_book_shapes(AddNorm):
    add_norm = AddNorm([3, 4], 0.5)
    add_norm.eval()
    X = torch.arange(24, dtype=torch.float32).reshape(2, 3, 4)
    out = add_norm(X, torch.ones((2, 3, 4)))
    assert_tensor(out, what="AddNorm([3, 4], 0.5)(X, ones(2, 3, 4)) in eval mode", shape=(2, 3, 4))
    expected = torch.nn.functional.layer_norm(X + 1, [3, 4])
    assert_close(out, expected, what="AddNorm([3, 4], 0.5)(X, ones) in eval mode (a fresh LayerNorm over the last two "
                                     "axes)", hint="ln(dropout(Y) + X)")


@check("transformer.EncoderBlock", clauses="values")
def check_EncoderBlock_book_shapes(EncoderBlock):
    X, valid_lens = torch.ones((2, 100, 24)), torch.tensor([3, 2])
    encoder_blk = EncoderBlock(24, 24, 24, 24, [100, 24], 24, 48, 8, 0.5)
    encoder_blk.eval()
    assert_tensor(encoder_blk(X, valid_lens), what="EncoderBlock(24, 24, 24, 24, [100, 24], 24, 48, 8, 0.5)(X "
                                                   "(2, 100, 24), valid_lens)", shape=(2, 100, 24))


@check("transformer.TransformerEncoder", clauses="values")
def check_TransformerEncoder_book_shapes(TransformerEncoder):
    encoder = TransformerEncoder(200, 24, 24, 24, 24, [100, 24], 24, 48, 8, 2, 0.5)
    encoder.eval()
    out = encoder(torch.ones((2, 100), dtype=torch.long), torch.tensor([3, 2]))
    assert_tensor(out, what="TransformerEncoder(200, ..., num_layers=2)(ones(2, 100), valid_lens [3, 2])",
                  shape=(2, 100, 24))


@check("transformer.DecoderBlock", clauses="values")
def check_DecoderBlock_book_shapes(DecoderBlock):
    decoder_blk = DecoderBlock(24, 24, 24, 24, [100, 24], 24, 48, 8, 0.5, 0)
    decoder_blk.eval()
    X, valid_lens = torch.ones((2, 100, 24)), torch.tensor([3, 2])
    out, state = decoder_blk(X, [torch.ones((2, 100, 24)), valid_lens, [None]])
    assert_tensor(out, what="DecoderBlock(24, ..., i=0)(X (2, 100, 24), state)", shape=(2, 100, 24))
    assert isinstance(state, list) and len(state) == 3, "the block returns the state, [enc_outputs, enc_valid_lens, " \
                                                        "caches]"


@check("transformer.TransformerDecoder", clauses="values")
def check_TransformerDecoder_book_shapes(TransformerDecoder):
    decoder = TransformerDecoder(200, 24, 24, 24, 24, [10, 24], 24, 48, 8, 2, 0.5)
    decoder.eval()
    state = decoder.init_state(torch.ones((2, 10, 24)), torch.tensor([3, 2]))
    out, state = decoder(torch.ones((2, 10), dtype=torch.long), state)
    assert_tensor(out, what="TransformerDecoder(200, ..., num_layers=2)(ones(2, 10), state)", shape=(2, 10, 200))
