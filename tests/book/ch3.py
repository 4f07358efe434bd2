"""Chapter 3 as the book writes it (zh.d2l.ai §3.2-3.7): our own code, in the book's style."""
from book import BookAnswer

ANSWERS = [
    BookAnswer("softmax_regression.softmax", """
        def softmax(X):
            X_exp = torch.exp(X)
            partition = X_exp.sum(1, keepdim=True)
            return X_exp / partition  # the broadcasting mechanism is applied here
        """, deviations="stability",
        why="the book exponentiates the raw logits, so exp(1000) overflows to inf (it discusses the fix in §3.7)"),
    BookAnswer("softmax_regression.accuracy", """
        def accuracy(y_hat, y):
            if len(y_hat.shape) > 1 and y_hat.shape[1] > 1:
                y_hat = y_hat.argmax(axis=1)
            cmp = y_hat.type(y.dtype) == y
            return float(cmp.type(y.dtype).sum())
        """),
    BookAnswer("softmax_regression.evaluate_accuracy", """
        def evaluate_accuracy(net, data_iter):
            if isinstance(net, torch.nn.Module):
                net.eval()  # evaluation mode
            metric = Accumulator(2)  # correct predictions, predictions
            with torch.no_grad():
                for X, y in data_iter:
                    metric.add(accuracy(net(X), y), y.numel())
            return metric[0] / metric[1]
        """),
]

NO_BOOK_CODE = {}
