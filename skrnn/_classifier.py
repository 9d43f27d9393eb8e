"""The public recurrent classifiers: thin classes over :mod:`skrnn._base`."""

import dataclasses
import math
import weakref
from copy import deepcopy
from functools import partial
from numbers import Integral

import numpy as np
import torch
from sklearn.base import ClassifierMixin
from sklearn.metrics import accuracy_score
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.class_weight import compute_class_weight
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import column_or_1d
from skorch import NeuralNetClassifier
from torch import nn

from ._base import BaseRecurrent
from ._callbacks import cross_entropy
from ._data import stratified_folds
from ._docstrings import classifier_doc
from ._modules import POOLINGS

# Interquartile range of the standard normal distribution.
NORMAL_IQR = 1.3489795003921634
# net_.module_ -> (the fold_weights_ they were built from, the folds' modules)
_FOLD_MODULES = weakref.WeakKeyDictionary()


class RecurrentClassifier(ClassifierMixin, BaseRecurrent):
    """Base class of the recurrent classifiers; use RNN-, LSTM- or GRUClassifier."""

    _net_class = NeuralNetClassifier
    _criterion = nn.CrossEntropyLoss
    _sample_loss = staticmethod(cross_entropy)
    _y_numeric = False
    _monitor = "accuracy"
    _added_params = {
        "pooling": "last",
        "conv_layers": 1,
        "scale_inputs": False,
        "average_folds": False,
    }
    _added_attributes = {"pooling_": "pooling", "lr_": "lr"}
    _first_fit_params = (*BaseRecurrent._first_fit_params, "pooling", "scale_inputs")

    _parameter_constraints: dict = {
        **BaseRecurrent._parameter_constraints,
        "class_weight": [dict, StrOptions({"balanced"}), None],
        "pooling": [StrOptions({"auto", *POOLINGS})],
        "conv_layers": [Interval(Integral, 1, 2, closed="both")],
        "scale_inputs": ["boolean"],
        "average_folds": ["boolean"],
    }

    def __init__(
        self,
        *,
        hidden_size=64,
        num_layers=1,
        bidirectional=False,
        dropout=0.0,
        conv_stride="auto",
        conv_layers=2,
        pooling="auto",
        center=False,
        scale_inputs=True,
        class_weight=None,
        max_epochs=300,
        batch_size="auto",
        lr=3e-3,
        optimizer="adam",
        momentum=0.9,
        weight_decay=0.0,
        clip_grad_norm=1.0,
        early_stopping=True,
        validation_fraction=0.1,
        n_iter_no_change=10,
        tol=1e-3,
        callbacks=None,
        random_state=None,
        device="cpu",
        verbose=0,
        warm_start=False,
        lags="auto",
        average_folds=True,
    ):
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.bidirectional = bidirectional
        self.dropout = dropout
        self.conv_stride = conv_stride
        self.conv_layers = conv_layers
        self.pooling = pooling
        self.center = center
        self.scale_inputs = scale_inputs
        self.class_weight = class_weight
        self.max_epochs = max_epochs
        self.batch_size = batch_size
        self.lr = lr
        self.optimizer = optimizer
        self.momentum = momentum
        self.weight_decay = weight_decay
        self.clip_grad_norm = clip_grad_norm
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.tol = tol
        self.callbacks = callbacks
        self.random_state = random_state
        self.device = device
        self.verbose = verbose
        self.warm_start = warm_start
        self.lags = lags
        self.average_folds = average_folds

    def predict_proba(self, X):
        """Class probabilities for windows `X`.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_timesteps, n_features) or \
                (n_samples, n_timesteps)
            Windows, as for :meth:`fit`.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Probabilities, columns in the order of ``classes_``.
        """
        logits = torch.from_numpy(self._forward(X)[0]).double()
        return torch.softmax(logits, dim=1).numpy()

    def predict(self, X):
        """Most probable class for windows `X`.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_timesteps, n_features) or \
                (n_samples, n_timesteps)
            Windows, as for :meth:`fit`.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
            Labels from ``classes_``.
        """
        output, _ = self._forward(X)
        return self.classes_[output.argmax(axis=1)]

    def _encode_target(self, y, windows, *, reset):
        y = np.asarray(y)
        if y.ndim > 2 or (y.ndim == 2 and y.shape[1] != 1):
            raise ValueError(
                f"y must be 1-D (one label per sample) for {type(self).__name__}, "
                f"got shape {y.shape}."
            )
        y = column_or_1d(y, warn=True)
        check_classification_targets(y)
        if reset:
            classes, encoded = np.unique(y, return_inverse=True)
            if len(classes) < 2:
                raise ValueError(
                    f"{type(self).__name__} needs samples of at least 2 classes in y; "
                    f"got 1 class: {classes[0]!r}."
                )
            self.classes_ = classes
            return encoded.astype(np.int64), None
        encoded = np.searchsorted(self.classes_, y).clip(0, len(self.classes_) - 1)
        unseen = self.classes_[encoded] != y
        if unseen.any():
            raise ValueError(
                f"y contains labels not seen in the first fit: {np.unique(y[unseen])!r} "
                "(warm_start=True keeps the classes)."
            )
        return encoded.astype(np.int64), None

    def _compact(self, X, *, reset):
        windows = super()._compact(X, reset=reset)
        if reset:
            self.feature_center_ = self.feature_scale_ = None
            if self.scale_inputs:
                self.feature_center_, self.feature_scale_ = _feature_scaling(windows)
        center = getattr(self, "feature_center_", None)  # None in files from before it
        if center is None:
            return windows
        series = ((windows.series - center) / self.feature_scale_).astype(np.float32)
        return dataclasses.replace(windows, series=series)

    def _module_kwargs(self, start):
        return {
            "output_size": len(self.classes_),
            "pooling": self.pooling_,
            "conv_layers": self.conv_layers,
        }

    def _resolve_pooling(self):
        if self.pooling != "auto":
            return self.pooling
        return "mean_max" if (self.conv_stride_ or 1) > 1 else "last"

    def _set_start(self, start, windows, y_train):
        self.pooling_ = self._resolve_pooling()
        self._set_class_weight(y_train)

    def _continue(self, dataset, y_train, seeds):
        self._set_class_weight(y_train)  # a warm start trains with the current class_weight
        super()._continue(dataset, y_train, seeds)

    def _set_class_weight(self, y_train):
        self.class_weight_ = None
        if self.class_weight is not None:
            weight = compute_class_weight(
                self.class_weight, classes=self.classes_, y=self.classes_[y_train]
            )
            if not (np.isfinite(weight).all() and (weight >= 0).all() and weight.any()):
                raise ValueError(
                    "class_weight must give every class a finite, non-negative weight and "
                    f"some class a positive one; got class_weight={self.class_weight!r}."
                )
            self.class_weight_ = weight

    def _validation_folds(self, windows, y_train, n_folds, seed):
        return stratified_folds(y_train, self.validation_fraction, n_folds, seed)

    def _keep_fold_nets(self, fold_nets):
        kept = fold_nets if self.average_folds else []
        self.fold_weights_ = [
            {key: value.detach().cpu().numpy() for key, value in net.module_.state_dict().items()}
            for net in kept
        ]

    def _prediction_modules(self):
        main = self.net_.module_
        weights = getattr(self, "fold_weights_", None)  # None in files from before it
        if not weights:
            return [main]
        built = _FOLD_MODULES.get(main)
        if built is None or built[0] is not weights:
            folds = [deepcopy(main) for _ in weights]
            for module, state in zip(folds, weights, strict=True):
                module.load_state_dict({key: torch.tensor(value) for key, value in state.items()})
            built = _FOLD_MODULES[main] = (weights, folds)
        return [main, *built[1]]

    def _combine_outputs(self, outputs):
        if len(outputs) == 1:
            return outputs[0]
        # The log of the mean probabilities: a softmax of it gives them back.
        log_probs = torch.stack([output.log_softmax(dim=1) for output in outputs])
        return torch.logsumexp(log_probs, dim=0) - math.log(len(outputs))

    def _net_kwargs(self):
        kwargs = {"classes": list(range(len(self.classes_)))}
        if self.class_weight_ is not None:
            kwargs["criterion__weight"] = torch.as_tensor(self.class_weight_, dtype=torch.float32)
            # Early stopping then keeps the epochs the weighted loss aims at, not those most
            # accurate by head count (whose networks the fold average would mix in).
            kwargs["callbacks__valid_acc__scoring"] = partial(
                _weighted_accuracy, weight=self.class_weight_
            )
        return kwargs

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_class = True
        return tags


def _weighted_accuracy(net, X, y, *, weight):
    """Accuracy with each row weighted by its class's weight (`y`: encoded classes)."""
    y = np.asarray(y)
    return accuracy_score(y, net.predict(X), sample_weight=weight[y])


def _feature_scaling(windows):
    """Median and scale of each feature over the real steps: the interquartile range over
    1.349 (the standard deviation for normal values), else the standard deviation, else 1.
    Quartiles rather than moments: a few sequences of much larger amplitude would otherwise
    set the scale and squash all others to near-constants."""
    values = windows.series[windows.real_rows()].astype(np.float64)
    q1, median, q3 = np.percentile(values, [25, 50, 75], axis=0)
    scale = (q3 - q1) / NORMAL_IQR
    scale = np.where(scale > 0, scale, values.std(axis=0))
    return median, np.where(scale > 0, scale, 1.0)


class LSTMClassifier(RecurrentClassifier):
    __doc__ = classifier_doc(
        "Long short-term memory (LSTM) network for classifying windows.",
        "Gated memory cells carry information across many steps without vanishing "
        "gradients; a good default for most sequences.",
    )
    _cell = "lstm"


class GRUClassifier(RecurrentClassifier):
    __doc__ = classifier_doc(
        "Gated recurrent unit (GRU) network for classifying windows.",
        "Like an LSTM with fewer gates: slightly faster, usually as accurate.",
        example_class="GRUClassifier",
    )
    _cell = "gru"


class RNNClassifier(RecurrentClassifier):
    __doc__ = classifier_doc(
        "Elman recurrent network (plain RNN) for classifying windows.",
        "The simplest recurrent cell, ``h_t = f(W x_t + U h_(t-1) + b)``.",
        extra_params="""\
    nonlinearity : {"tanh", "relu"}, default="tanh"
        The activation ``f``.

""",
        example_class="RNNClassifier",
    )
    _cell = "rnn"

    _parameter_constraints: dict = {
        **RecurrentClassifier._parameter_constraints,
        "nonlinearity": [StrOptions({"tanh", "relu"})],
    }

    def __init__(
        self,
        *,
        nonlinearity="tanh",
        hidden_size=64,
        num_layers=1,
        bidirectional=False,
        dropout=0.0,
        conv_stride="auto",
        conv_layers=2,
        pooling="auto",
        center=False,
        scale_inputs=True,
        class_weight=None,
        max_epochs=300,
        batch_size="auto",
        lr=3e-3,
        optimizer="adam",
        momentum=0.9,
        weight_decay=0.0,
        clip_grad_norm=1.0,
        early_stopping=True,
        validation_fraction=0.1,
        n_iter_no_change=10,
        tol=1e-3,
        callbacks=None,
        random_state=None,
        device="cpu",
        verbose=0,
        warm_start=False,
        lags="auto",
        average_folds=True,
    ):
        super().__init__(
            hidden_size=hidden_size,
            num_layers=num_layers,
            bidirectional=bidirectional,
            dropout=dropout,
            conv_stride=conv_stride,
            conv_layers=conv_layers,
            pooling=pooling,
            center=center,
            scale_inputs=scale_inputs,
            class_weight=class_weight,
            max_epochs=max_epochs,
            batch_size=batch_size,
            lr=lr,
            optimizer=optimizer,
            momentum=momentum,
            weight_decay=weight_decay,
            clip_grad_norm=clip_grad_norm,
            early_stopping=early_stopping,
            validation_fraction=validation_fraction,
            n_iter_no_change=n_iter_no_change,
            tol=tol,
            callbacks=callbacks,
            random_state=random_state,
            device=device,
            verbose=verbose,
            warm_start=warm_start,
            lags=lags,
            average_folds=average_folds,
        )
        self.nonlinearity = nonlinearity
