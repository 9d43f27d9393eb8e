"""Docstring fragments shared by the public estimators, so each parameter is explained once."""

NETWORK_PARAMS = """\
    hidden_size : int, default=64
        Number of features in the hidden state of each recurrent layer.

    num_layers : int, default=1
        Number of stacked recurrent layers; more than one makes a deep (stacked) RNN.

    bidirectional : bool, default=False
        Run a second recurrent pass over each window backwards and concatenate both final
        states. Every window ends at its own time step, so this still never looks ahead.

    dropout : float, default=0.0
        Dropout probability between stacked layers (as in PyTorch) and before the head."""

CONV_STRIDE = """\
    conv_stride : int, "auto" or None, default={default}
        A convolutional front end before the recurrent layers: a 1-D convolution (kernel
        ``2 * conv_stride + 1``, ``hidden_size`` channels, ReLU) with this stride, which
        shortens long sequences ``conv_stride``-fold and extracts local shape. ``"auto"``
        picks the stride that leaves about 50 steps (1 for short sequences); None uses no
        front end, the recurrent layers then read the raw steps."""


REGRESSOR_STOPPING = """\
    n_iter_no_change : int, default=10
        Epochs without improvement of the validation loss before a fold stops, and at
        least as many as make 100 optimizer steps: on a few hundred rows an epoch is a
        handful of steps, too few for the loss to move.

    tol : float, default=1e-4
        Minimum relative decrease of the validation loss that counts as an improvement."""


def training_params(lr, early_stopping, max_epochs=100, stopping=REGRESSOR_STOPPING):
    """The training parameters' docs, with the estimator's entry for the learning rate,
    epoch budget, way of holding out validation rows and of telling when a fold stops."""
    return f"""\
    max_epochs : int, default={max_epochs}
        Maximum number of passes over the training data.

    batch_size : int or "auto", default="auto"
        Number of windows per mini-batch; training windows are shuffled every epoch.
        ``"auto"`` is a tenth of the training windows, between 16 and 128: about ten
        optimizer steps per epoch on small data sets, 128 windows per step on large ones.

{lr}

    optimizer : {{"adam", "adamw", "sgd", "rmsprop"}}, default="adam"
        The torch optimizer.

    momentum : float, default=0.9
        Momentum for ``optimizer="sgd"`` and ``"rmsprop"``; ignored otherwise.

    weight_decay : float, default=0.0
        L2 penalty passed to the optimizer.

    clip_grad_norm : float or None, default=1.0
        Rescale gradients whose total L2 norm exceeds this value, the standard remedy for
        the exploding gradients of recurrent networks. None disables clipping.

    early_stopping : bool, default=True
{early_stopping}

    validation_fraction : float, default=0.1
        Fraction of the training rows held out per early-stopping fold.

{stopping}

    callbacks : list of skorch callbacks or (name, callback) tuples, default=None
        Extra :mod:`skorch.callbacks` for the underlying net (e.g. a learning-rate
        scheduler). They are copied at each fit.

    random_state : int, RandomState instance or None, default=None
        Seeds weight initialisation, shuffling, validation folds and dropout. An int makes
        fit reproducible bit for bit on the same machine. The caller's numpy and torch
        random states are left untouched.

    device : str or torch.device, default="cpu"
        Where to train and predict: ``"cpu"``, ``"cuda"``, ``"cuda:1"``, ``"mps"``, or
        ``"auto"`` for the best one this machine has (``device_`` says which). The default
        is the CPU, not "auto", so that a script does not change its numbers with the
        hardware it finds: a GPU sums in another order and rounds differently. (CPUs with
        other instruction sets, or another number of threads, may also differ in the last
        bits of float32.) A device the machine lacks is
        a ValueError before any training. A model trained on a GPU predicts on a CPU-only
        machine after loading: :func:`skrnn.load` puts it on its ``device`` argument (the
        CPU by default, which also becomes this parameter); a joblib file loads onto the
        CPU with skorch's ``DeviceWarning`` and keeps ``device="cuda"``, so fitting it
        again there raises the ValueError until you ``set_params(device="cpu")``.

    verbose : int, default=0
        Print skorch's per-epoch log if positive.

    warm_start : bool, default=False
        If True, ``fit`` continues training the current network instead of starting anew:
        on every row, or with early stopping on the rows before the most recent block,
        which validates it. The training parameters (``lr``, ``optimizer`` and its
        ``momentum`` and ``weight_decay``, ``batch_size``, ``clip_grad_norm``,
        ``max_epochs``, a classifier's ``class_weight``) take their current values, and
        the order of the training rows is drawn from ``random_state`` as in a new fit; the
        architecture cannot change, nor the parameters the first fit built the network on
        (``center``, ``conv_stride`` and ``lags``; a regressor's loss, quantiles, scaling,
        ``season``, skip and ``ema_decay``; a classifier's pooling and input scaling)."""


CLASSIFIER_STOPPING = """\
    n_iter_no_change : int, default=10
        Epochs with a validation accuracy below the fold's best before it stops, and at
        least as many as make 100 optimizer steps: on a few dozen sequences an epoch is a
        step or two.

    tol : float, default=1e-3
        A fold also stops once its training loss (cross-entropy) is below `tol`: every
        training sequence is then classified with near certainty, and further epochs
        change few predictions."""

REGRESSOR_EARLY_STOPPING = """\
        Choose the number of epochs on held-out rows, then train on every row. Each fold
        holds out the next ``validation_fraction`` of every series in time (forward
        chaining, as TimeSeriesSplit; up to three folds on small data, so that at least
        100 rows are scored, 400 for one series with a skip) and trains a fresh network
        on the rows before it until its validation loss stops improving; the final
        network trains on all rows for the folds' mean best epoch. With a ``skip``, the
        untrained network is a fitted linear forecast, so trained networks must also beat
        it significantly on the pooled held-out rows (a one-sided Diebold-Mariano test at
        5%, on the mean loss of blocks of ``n_outputs`` rows of a series, whose targets
        do not overlap; for one series, each half of the held-out rows scored at the
        epoch the other half found best); otherwise the estimator keeps that start
        (``best_epoch_ == 0``) and says so with a :class:`~skrnn.StartKeptWarning`."""

CLASSIFIER_EARLY_STOPPING = """\
        Choose the number of epochs on held-out rows, then train on every row. Each fold
        holds out ``validation_fraction`` of the sequences, stratified by class (files
        sorted by class would otherwise leave a class out; up to three folds on small
        data) and trains a fresh network while its validation accuracy rises or holds,
        keeping the latest of its most accurate epochs (cross-entropy on a few held-out
        sequences rises with the network's confidence while its accuracy still climbs);
        the final network trains on all rows for the folds' mean best epoch."""

FITTED_ATTRIBUTES = """\
    net_ : skorch.NeuralNet
        The trained skorch net; ``net_.module_`` is the torch module.

    history_ : skorch.History
        The training history (``net_.history``): losses per epoch and batch.

    n_iter_ : int
        Number of epochs the returned network was trained, in the last call to ``fit``.

    best_epoch_ : int
        Epochs of training in the returned network: the folds' mean best epoch with early
        stopping. 0 means the untrained start: for a regressor with a ``skip``, trained
        networks did not beat its linear forecast significantly on held-out rows, and a
        :class:`~skrnn.StartKeptWarning` said so; its forecasts are that linear forecast.

    validation_loss_ : ndarray of shape (n_folds, n_epochs) or None
        Validation loss per early-stopping fold and epoch (NaN after a fold stopped;
        column 0, the untrained start, is scored for regressors with a skip only). None
        without early stopping.

    batch_size_ : int
        The batch size used (``batch_size`` with "auto" resolved).

    lr_ : float
        The learning rate used (``lr`` with "auto" resolved).

    conv_stride_ : int or None
        The front end's stride (``conv_stride`` with "auto" resolved).

    device_ : str
        The device the network was trained on (``device`` with "auto" resolved).

    n_features_in_ : int
        Number of features per time step seen during :term:`fit` (for 2-D input, the
        number of columns, i.e. time steps, as sklearn counts them).

    n_timesteps_in_ : int
        Number of time steps per window seen during :term:`fit`.

    center_ : bool
        Whether the network sees centred windows (``center`` with "auto" resolved).

    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of the columns seen during :term:`fit` (2-D DataFrame input only)."""

INPUT_NOTES = """\
    Input is 3-D windows ``(n_samples, n_timesteps, n_features)``, oldest step first, as
    :class:`~skrnn.SlidingWindow` makes them. Leading all-NaN time steps are front padding:
    the network runs over the real steps only (packed sequences), so every row gets a
    finite prediction. A 2-D array is read as ``(n_samples, n_timesteps)`` univariate
    sequences. Other NaN or inf values are an error: impute first."""
