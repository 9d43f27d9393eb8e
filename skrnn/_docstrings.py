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

TRAINING_PARAMS = """\
    max_epochs : int, default=100
        Maximum number of passes over the training data.

    batch_size : int, default=128
        Number of windows per mini-batch. Training windows are shuffled every epoch.

    lr : float, default=1e-3
        Learning rate.

    optimizer : {"adam", "adamw", "sgd", "rmsprop"}, default="adam"
        The torch optimizer.

    momentum : float, default=0.9
        Momentum for ``optimizer="sgd"`` and ``"rmsprop"``; ignored otherwise.

    weight_decay : float, default=0.0
        L2 penalty passed to the optimizer.

    clip_grad_norm : float or None, default=1.0
        Rescale gradients whose total L2 norm exceeds this value, the standard remedy for
        the exploding gradients of recurrent networks. None disables clipping.

    early_stopping : bool, default=True
        Hold out the most recent ``validation_fraction`` of the training rows (in order,
        never shuffled), stop when their loss has not improved for ``n_iter_no_change``
        epochs and keep the best weights. The starting weights are scored too (epoch 0).

    validation_fraction : float, default=0.1
        Fraction of the training rows, the most recent ones, held out for early stopping.

    n_iter_no_change : int, default=10
        Epochs without improvement of the validation loss before stopping.

    tol : float, default=1e-4
        Minimum relative decrease of the validation loss that counts as an improvement.

    callbacks : list of skorch callbacks or (name, callback) tuples, default=None
        Extra :mod:`skorch.callbacks` for the underlying net (e.g. a learning-rate
        scheduler). They are copied at each fit.

    random_state : int, RandomState instance or None, default=None
        Seeds weight initialisation, shuffling and dropout. An int makes fit reproducible
        bit for bit on the same machine. The caller's numpy and torch random states are
        left untouched.

    device : str or torch.device, default="cpu"
        Where to train, e.g. ``"cuda"``. A model trained on a GPU predicts on a CPU-only
        machine after loading.

    verbose : int, default=0
        Print skorch's per-epoch log if positive.

    warm_start : bool, default=False
        If True, ``fit`` continues training the current network instead of starting anew."""

FITTED_ATTRIBUTES = """\
    net_ : skorch.NeuralNet
        The trained skorch net; ``net_.module_`` is the torch module.

    history_ : skorch.History
        The training history (``net_.history``): losses per epoch and batch.

    n_iter_ : int
        Number of epochs run by the last call to ``fit``.

    best_epoch_ : int
        Epoch whose weights were kept (0 means the starting weights).

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
