"""Chapter 6 as the book writes it (zh.d2l.ai §6.2-6.6): our own code, in the book's style and habits."""
import textwrap

from book import BookAnswer
from book.ch3 import ACCUMULATOR
from catalog import variant

CPU_ZEROS = ("the book makes the output with torch.zeros((h, w)): float32 on the CPU whatever X is, so a float64 X "
             "gives a float32 result and, on a GPU, the result lands on the CPU (one check each); its loop over the "
             "output pixels is also slow (the speed check, not counted here)")

ANSWERS = [
    BookAnswer("conv_layer.corr2d", """
        def corr2d(X, K):
            \"\"\"计算二维互相关运算\"\"\"
            h, w = K.shape
            Y = torch.zeros((X.shape[0] - h + 1, X.shape[1] - w + 1))
            for i in range(Y.shape[0]):
                for j in range(Y.shape[1]):
                    Y[i, j] = (X[i:i + h, j:j + w] * K).sum()
            return Y
        """, deviations=("keeps_dtype", "on_device"), why=CPU_ZEROS),
    BookAnswer("padding_stride.comp_conv2d", """
        def comp_conv2d(conv2d, X):
            # 这里的（1，1）表示批量大小和通道数都是1
            X = X.reshape((1, 1) + X.shape)
            Y = conv2d(X)
            # 省略前两个维度：批量大小和通道
            return Y.reshape(Y.shape[2:])
        """),
    BookAnswer("channels.corr2d_multi_in", """
        from .conv_layer import corr2d

        def corr2d_multi_in(X, K):
            # 先遍历“X”和“K”的第0个维度（通道维度），再把它们加在一起
            return sum(corr2d(x, k) for x, k in zip(X, K))
        """),
    BookAnswer("channels.corr2d_multi_in_out", """
        def corr2d_multi_in_out(X, K):
            # 迭代“K”的第0个维度，每次都对输入“X”执行互相关运算。
            # 最后将所有结果都叠加在一起
            return torch.stack([corr2d_multi_in(X, k) for k in K], 0)
        """),
    BookAnswer("channels.corr2d_multi_in_out_1x1", """
        def corr2d_multi_in_out_1x1(X, K):
            c_i, h, w = X.shape
            c_o = K.shape[0]
            X = X.reshape((c_i, h * w))
            K = K.reshape((c_o, c_i))
            # 全连接层中的矩阵乘法
            Y = torch.matmul(K, X)
            return Y.reshape((c_o, h, w))
        """),
    BookAnswer("pooling.pool2d", """
        import torch

        def pool2d(X, pool_size, mode='max'):
            p_h, p_w = pool_size
            Y = torch.zeros((X.shape[0] - p_h + 1, X.shape[1] - p_w + 1))
            for i in range(Y.shape[0]):
                for j in range(Y.shape[1]):
                    if mode == 'max':
                        Y[i, j] = X[i: i + p_h, j: j + p_w].max()
                    elif mode == 'avg':
                        Y[i, j] = X[i: i + p_h, j: j + p_w].mean()
            return Y
        """, deviations=("keeps_dtype", "on_device"), why=CPU_ZEROS),
    BookAnswer("lenet.lenet", replace=[
        ("def lenet():\n", "class Reshape(torch.nn.Module):\n"
                           "    def forward(self, x):\n"
                           "        return x.view(-1, 1, 28, 28)\n\n\n"
                           "def lenet():\n"),
        ("    return nn.Sequential(\n        nn.Conv2d(1, 6, kernel_size=5, padding=2)",
         "    return nn.Sequential(\n        Reshape(),\n        nn.Conv2d(1, 6, kernel_size=5, padding=2)")],
        deviations="layer_shapes",
        why="the book's LeNet (as the seed's notes give it) starts with a Reshape layer to (-1, 1, 28, 28): 13 layers "
            "where our contract has the book's 12 (our inputs already come as (B, 1, 28, 28)); it computes the same "
            "function"),
    BookAnswer("lenet.evaluate_accuracy_gpu", variant(
        ACCUMULATOR, ("class Accumulator:", 'class Accumulator:\n    \"\"\"在n个变量上累加\"\"\"'))
        + textwrap.dedent("""
        def accuracy(y_hat, y):
            \"\"\"计算预测正确的数量\"\"\"
            if len(y_hat.shape) > 1 and y_hat.shape[1] > 1:
                y_hat = y_hat.argmax(axis=1)
            cmp = y_hat.type(y.dtype) == y
            return float(cmp.type(y.dtype).sum())

        def evaluate_accuracy_gpu(net, data_iter, device=None):
            \"\"\"使用GPU计算模型在数据集上的精度\"\"\"
            if isinstance(net, nn.Module):
                net.eval()  # 设置为评估模式
                if not device:
                    device = next(iter(net.parameters())).device
            # 正确预测的数量，总预测的数量
            metric = Accumulator(2)
            with torch.no_grad():
                for X, y in data_iter:
                    if isinstance(X, list):
                        # BERT微调所需的（之后将介绍）
                        X = [x.to(device) for x in X]
                    else:
                        X = X.to(device)
                    y = y.to(device)
                    metric.add(accuracy(net(X), y), y.numel())
            return metric[0] / metric[1]
        """)),
    BookAnswer("lenet.train_ch6", "from d2lkit import Timer\n\n" + variant(
        ACCUMULATOR, ("class Accumulator:", 'class Accumulator:\n    \"\"\"在n个变量上累加\"\"\"'),
        ("    def reset(self):\n        self.data = [0.0] * len(self.data)\n\n", ""))
        + textwrap.dedent("""
        def accuracy(y_hat, y):
            if len(y_hat.shape) > 1 and y_hat.shape[1] > 1:
                y_hat = y_hat.argmax(axis=1)
            cmp = y_hat.type(y.dtype) == y
            return float(cmp.type(y.dtype).sum())

        def train_ch6(net, train_iter, test_iter, num_epochs, lr, device):
            \"\"\"用GPU训练模型(在第六章定义)\"\"\"
            def init_weights(m):
                if type(m) == nn.Linear or type(m) == nn.Conv2d:
                    nn.init.xavier_uniform_(m.weight)
            net.apply(init_weights)
            print('training on', device)
            net.to(device)
            optimizer = torch.optim.SGD(net.parameters(), lr=lr)
            loss = nn.CrossEntropyLoss()
            history = []  # what the book's Animator plots
            timer, num_batches = Timer(), len(train_iter)
            for epoch in range(num_epochs):
                # 训练损失之和，训练准确率之和，样本数
                metric = Accumulator(3)
                net.train()
                for i, (X, y) in enumerate(train_iter):
                    timer.start()
                    optimizer.zero_grad()
                    X, y = X.to(device), y.to(device)
                    y_hat = net(X)
                    l = loss(y_hat, y)
                    l.backward()
                    optimizer.step()
                    with torch.no_grad():
                        metric.add(l * X.shape[0], accuracy(y_hat, y), X.shape[0])
                    timer.stop()
                    train_l = metric[0] / metric[2]
                    train_acc = metric[1] / metric[2]
                test_acc = evaluate_accuracy_gpu(net, test_iter)
                history.append((train_l, train_acc, test_acc))
            print(f'loss {train_l:.3f}, train acc {train_acc:.3f}, test acc {test_acc:.3f}')
            return history
        """)),
]

NO_BOOK_CODE = {
    "padding_stride.conv_output_shape": "the book states the formula (n_h - k_h + p_h + s_h) / s_h, floored, and "
                                        "checks it with nn.Conv2d; it writes no function for it",
    "pooling.pooling_layer": "the book pools with padding and stride through nn.MaxPool2d / nn.AvgPool2d, and "
                             "writes no code of its own for it",
}

# The book's code for these is the reference's, line for line (docstrings and comments aside): the
# references' own runs show that it gets full marks.
BOOK_IS_REFERENCE = (
    "conv_layer.Conv2D",
)
