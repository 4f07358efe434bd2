"""Chapter 3 as the book writes it (zh.d2l.ai §3.2-3.7, the d2l 0.17.6 versions): our own code, in the book's
style. Where the book writes a step inline (§3.3's network, §3.7's model, loss and trainer), the answer wraps the
same lines in the exercise's function; where it uses torchvision (§3.5), the answer reimplements the parts it uses
(a FashionMNIST data set of PIL images, ToTensor, Resize on the PIL image, four loader workers)."""
from autograder.book import reference_definition
from book import BookAnswer
from catalog import variant

# d2l.Accumulator (§3.6), which later chapters' book answers bring with them: the reference's, line for line
ACCUMULATOR = reference_definition("ch3", "softmax_regression.Accumulator")
# d2l.train_epoch_ch3 (§3.6.6), which chapter 4's book answers bring with them: the reference's, but for the loss
# sum, which the book converts with float(l.sum()) (no .detach())
TRAIN_EPOCH_CH3 = variant(reference_definition("ch3", "softmax_regression.train_epoch_ch3"), (
    "float(l.sum().detach())", "float(l.sum())"))

ANSWERS = [
    # §3.2
    BookAnswer("linear_regression.synthetic_data", """
        def synthetic_data(w, b, num_examples):
            X = torch.normal(0, 1, (num_examples, len(w)))
            y = torch.matmul(X, w) + b
            y += torch.normal(0, 0.01, y.shape)
            return X, y.reshape((-1, 1))
        """),
    BookAnswer("linear_regression.data_iter", """
        import random
        def data_iter(batch_size, features, labels):
            num_examples = len(features)
            indices = list(range(num_examples))
            # the examples are read at random, in no particular order
            random.shuffle(indices)
            for i in range(0, num_examples, batch_size):
                batch_indices = torch.tensor(
                    indices[i: min(i + batch_size, num_examples)])
                yield features[batch_indices], labels[batch_indices]
        """),
    BookAnswer("linear_regression.linreg", """
        def linreg(X, w, b):
            return torch.matmul(X, w) + b
        """),
    # §3.3
    BookAnswer("linear_regression_concise.load_array", """
        def load_array(data_arrays, batch_size, is_train=True):
            dataset = data.TensorDataset(*data_arrays)
            return data.DataLoader(dataset, batch_size, shuffle=is_train)
        """),
    BookAnswer("linear_regression_concise.linear_net", """
        def linear_net(num_inputs):
            net = nn.Sequential(nn.Linear(num_inputs, 1))
            net[0].weight.data.normal_(0, 0.01)
            net[0].bias.data.fill_(0)
            return net
        """),
    # §3.5
    BookAnswer("image_classification_dataset.get_fashion_mnist_labels", """
        def get_fashion_mnist_labels(labels):
            text_labels = ['t-shirt', 'trouser', 'pullover', 'dress', 'coat',
                           'sandal', 'shirt', 'sneaker', 'bag', 'ankle boot']
            return [text_labels[int(i)] for i in labels]
        """),
    BookAnswer("image_classification_dataset.load_data_fashion_mnist", """
        import numpy as np
        from PIL import Image


        class FashionMNIST(data.Dataset):
            # torchvision.datasets.FashionMNIST: a PIL image and an int label per example, through the transform
            def __init__(self, train, transform):
                self.data, self.targets = read_fashion_mnist(train)
                self.transform = transform

            def __len__(self):
                return len(self.targets)

            def __getitem__(self, index):
                img = Image.fromarray(self.data[index].numpy())
                return self.transform(img), int(self.targets[index])


        class ToTensor:
            # transforms.ToTensor: a PIL image to a float32 (C, H, W) tensor in [0, 1]
            def __call__(self, img):
                return torch.from_numpy(np.array(img, dtype=np.uint8)).unsqueeze(0).float().div(255)


        class Resize:
            # transforms.Resize(size) on a square PIL image: bilinear, antialiased
            def __init__(self, size):
                self.size = size

            def __call__(self, img):
                return img.resize((self.size, self.size), Image.Resampling.BILINEAR)


        class Compose:
            def __init__(self, transforms):
                self.transforms = transforms

            def __call__(self, img):
                for t in self.transforms:
                    img = t(img)
                return img


        def get_dataloader_workers():
            return 4


        def load_data_fashion_mnist(batch_size, resize=None):
            trans = [ToTensor()]
            if resize:
                trans.insert(0, Resize(resize))
            trans = Compose(trans)
            mnist_train = FashionMNIST(train=True, transform=trans)
            mnist_test = FashionMNIST(train=False, transform=trans)
            return (data.DataLoader(mnist_train, batch_size, shuffle=True,
                                    num_workers=get_dataloader_workers()),
                    data.DataLoader(mnist_test, batch_size, shuffle=False,
                                    num_workers=get_dataloader_workers()))
        """),
    # §3.6
    BookAnswer("softmax_regression.softmax", """
        def softmax(X):
            X_exp = torch.exp(X)
            partition = X_exp.sum(1, keepdim=True)
            return X_exp / partition  # the broadcasting mechanism is applied here
        """, deviations="stability",
        why="the book exponentiates the raw logits, so exp(1000) overflows to inf (it discusses the fix in §3.7)"),
    BookAnswer("softmax_regression.net", """
        def net(X, W, b):
            return softmax(torch.matmul(X.reshape((-1, W.shape[0])), W) + b)
        """),
    BookAnswer("softmax_regression.cross_entropy", """
        def cross_entropy(y_hat, y):
            return - torch.log(y_hat[range(len(y_hat)), y])
        """),
    BookAnswer("softmax_regression.accuracy", """
        def accuracy(y_hat, y):
            if len(y_hat.shape) > 1 and y_hat.shape[1] > 1:
                y_hat = y_hat.argmax(axis=1)
            cmp = y_hat.type(y.dtype) == y
            return float(cmp.type(y.dtype).sum())
        """),
    BookAnswer("softmax_regression.train_epoch_ch3", TRAIN_EPOCH_CH3),
    # §3.7
    BookAnswer("softmax_regression_concise.init_weights", """
        def init_weights(m):
            if type(m) == nn.Linear:
                nn.init.normal_(m.weight, std=0.01)
        """),
    BookAnswer("softmax_regression_concise.concise_classifier", """
        def concise_classifier(lr=0.1):
            # PyTorch does not reshape the inputs implicitly: a flatten layer before the linear layer
            net = nn.Sequential(nn.Flatten(), nn.Linear(784, 10))
            net.apply(init_weights)
            loss = nn.CrossEntropyLoss(reduction='none')
            trainer = torch.optim.SGD(net.parameters(), lr=lr)
            return net, loss, trainer
        """),
]

NO_BOOK_CODE = {}

# The book's code for these is the reference's, line for line (docstrings and comments aside): the
# references' own runs show that it gets full marks.
BOOK_IS_REFERENCE = (
    "linear_regression.squared_loss",
    "linear_regression.sgd",
    "softmax_regression.Accumulator",
    "softmax_regression.evaluate_accuracy",
)
