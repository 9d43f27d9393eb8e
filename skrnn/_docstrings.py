"""The public estimators' docstrings: fragments shared by every estimator, so each parameter
is explained once, and each family's parameters and assembled docstring."""

from ._lags import LAG_LAYOUT_ATTRIBUTE, LAGS_PARAM

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


def training_params(lr, early_stopping, max_epochs=200, stopping=REGRESSOR_STOPPING):
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

# The regressors

REGRESSOR_CENTER = """\
    center : "auto" or bool, default="auto"
        Feed the network each window minus its last time step (per feature), so it learns
        from the shape of the recent past rather than from levels it may never have seen
        in training (prices whose test years lie far above the training years). ``"auto"``
        centres, except when the skip's tests found the target stationary: there levels
        stay in range and carry information."""

EMA_DECAY = """\
    ema_decay : "auto", float in [0, 1) or None, default="auto"
        Keep an exponential moving average of the weights over the optimizer steps
        (updated after each step with weight ``1 - ema_decay`` for the new weights: an
        average over about ``1 / (1 - ema_decay)`` steps), and let early stopping score,
        keep and return that average instead of the last step's weights. Late in training
        each step moves the weights by its mini-batch's noise; the average keeps the
        direction. ``"auto"``: for point forecasts, 0.995 on windows of many series, where
        an epoch is hundreds of steps (on the M3 competition it lowered sMAPE on all four
        subsets), and 0.98 on one series whose windows are scaled one by one
        (``window_scaling_``; on half-hourly load and monthly air passengers every
        network then trained past its start); None (the last step's weights) on one
        standardized series, where on daily price windows averaged networks passed the
        keep-or-discard test and then lost to persistence on the test years (MSFT: 1.056
        times persistence), and for ``loss="quantile"``, whose interval coverage was
        measured without it. ``ema_decay_`` holds the decay used."""

REGRESSOR_LR = """\
    lr : "auto" or float, default="auto"
        Learning rate. ``"auto"``: 5e-3 for windows of many series, where an epoch is
        hundreds of optimizer steps over series that share their patterns (on the M3
        competition it lowered sMAPE on all four subsets, and the interval score of the
        monthly quantile networks, in about half the training time); 1e-3 for one series,
        where larger rates let networks through the keep-or-discard test that then lost
        to persistence on the test years (MSFT, 7% at 3e-3). ``lr_`` holds the rate used."""

REGRESSION_PARAMS = """\
    loss : {"auto", "squared_error", "absolute_error", "quantile"}, default="auto"
        What the network is trained to forecast, as in scikit-learn: the conditional mean,
        median, or the conditional ``quantile``. The linear start follows: for the median
        and quantiles it is the skip's forecast shifted by that quantile of its training
        residuals. ``"auto"``: ``"absolute_error"`` where windows are scaled by their logs
        (``window_scaling_`` is ``"log"``), ``"squared_error"`` otherwise. A network that
        learns logs forecasts the median in the series' units exactly (a median survives
        the exponential, a mean of logs does not come back as a mean), the forecast that
        percentage errors such as the M3 competition's sMAPE reward: on the M3 panels it
        lowered sMAPE on every subset, by up to 6%. ``loss_`` holds the loss used.

    quantile : float or sequence of float, default=None
        The quantile(s) to forecast with ``loss="quantile"`` (0.5 if None); ignored
        otherwise. Several quantiles come from one network with one output each: an
        interval from one fit (:meth:`predict_quantiles`), while :meth:`predict` returns
        the median (interpolated between the two quantiles around 0.5 if it is not among
        them), so the estimator stays a point forecaster in pipelines and searches.

    quantile_spread : {"auto", "volatility", "fixed"}, default="auto"
        How far each quantile's linear start lies from the skip's forecast
        (``loss="quantile"``). ``"volatility"``: that quantile of the skip's training
        residuals per unit of the window's volatility (the mean absolute change of the
        target between consecutive steps of the window), times the window's volatility:
        intervals widen after volatile steps, narrow after calm ones, and keep their
        coverage when a series calms down or heats up (on the bundled stock prices, fixed
        widths learned on 2000-2009 cover 90-95% of 2009-2013 for an 80% interval).
        ``"fixed"``: that quantile of the residuals, the same for every window (relative
        to the level under window scaling). ``"auto"``: ``"volatility"`` unless its
        pinball loss on the training rows exceeds the fixed widths' by more than 5% (on
        M3's monthly panel it does by 17%: there a window's month-to-month changes,
        seasonal swings included, say little about the errors 18 months ahead). Fixed
        when no feature of `X` is known to hold the target's past.

    scale_target : bool, default=True
        Standardize `y` inside the estimator and map predictions back, so raw targets of
        any size (index levels of 40,000, say) train like unit-scale ones. Not used when
        windows are scaled one by one (``window_scaling_``).

    scale_inputs : "auto" or bool, default="auto"
        Divide what the network reads, feature by feature, by its root mean square over the
        training windows (after ``window_scaling`` and ``center``), so that the recurrent
        layer, initialised for unit-scale inputs, sees them whatever the series: a
        window's changes relative to its level are a few thousandths on weekly CO2 and a
        few tenths on electricity load, and on such small inputs the network stays nearly
        linear and barely moves from its start. The skip reads the unscaled windows.
        ``"auto"``: on for one series whose windows are scaled one by one
        (``window_scaling_``): on half-hourly electricity load the networks then trained
        past their start on every seed, 5-8% better in MAE. Off otherwise: a scaler in the
        pipeline sets the scale of other windows (on daily prices, scaled inputs let
        networks through the keep-or-discard test that then lost 2.5% to persistence), and
        on windows of many series, which ``window_scaling`` already puts on one scale, the
        M3 networks were 0.1-1.5% better without it at the learning rate chosen for them.

    window_scaling : {"auto", "log", "mean"} or None, default="auto"
        Scale each window, and its targets, by the target's own recent past, so that one
        network serves series of any size and predictions come back in each series'
        units: ``"log"`` takes logs and subtracts the mean log of the last ``season``
        values (for a positive target: relative changes, a multiplicative season becomes
        additive); ``"mean"`` subtracts the mean of the last ``season`` values and divides
        by the window's mean absolute value (any target, zeros included). ``"auto"``: for
        windows of many series (from ``SlidingWindow(group=...)``), ``"log"`` for a positive
        target (zeros allowed in at most 1% of its values: a closure, a strike) and
        ``"mean"`` otherwise; for one series, ``"log"`` for a positive target
        that is the only feature or whose quantiles are forecast (``loss="quantile"``:
        bands then widen with the level), else None. None: `y` is standardized as a whole
        (``scale_target``).

    season : int or None, default=None
        The season length of the target (12 for monthly data), used by
        ``window_scaling``: each window is relative to the mean of its last `season`
        values rather than to its last value. None: no season (1).

    skip : {"linear", "persistence"} or None, default="linear"
        The forecast the network corrects. The network's output is added to it, and it
        starts at zero, so before training the model *is* this forecast:

        - ``"persistence"``: the last value of the target feature ("tomorrow = today"),
          mapped exactly to target units even behind a scaler;
        - ``"linear"``: persistence plus a ridge correction on that feature's recent
          changes or, only for a series the Dickey-Fuller and KPSS tests find stationary,
          on its lags or on the lags of every feature (the ridge on the flattened window).
          Fitted in closed form, not trained; forward-chaining cross-validation picks the
          correction, kept only if its gain over persistence is significant.
        - None: a plain network, its head on the last hidden state.

    target_feature : "auto" or int, default="auto"
        Index of the input feature that holds the target's past values, used by ``skip``.
        ``"auto"`` finds it: on consecutive training rows, ``y[t]`` reappears as that
        feature in row ``t + 1``."""


def regressor_doc(title, cell_text, extra_params="", example_class="LSTMRegressor"):
    """The docstring of a public regressor class."""
    return f"""{title}

    {cell_text}

    By default the network corrects a linear forecast (see ``skip``) and stops early on the
    most recent training rows, so out of the box it does no worse than that forecast; for
    daily prices, which are close to a random walk, it stays close to "tomorrow = today".

    Parameters
    ----------
{extra_params}{NETWORK_PARAMS}

{CONV_STRIDE.format(default="None")}

{REGRESSOR_CENTER}

{REGRESSION_PARAMS}

{training_params(REGRESSOR_LR, REGRESSOR_EARLY_STOPPING)}

{EMA_DECAY}

{LAGS_PARAM}

    Attributes
    ----------
{FITTED_ATTRIBUTES}

{LAG_LAYOUT_ATTRIBUTE}

    n_outputs_ : int
        Number of outputs (forecast horizons) of `y`.

    target_mean_, target_scale_ : ndarray of shape (`n_outputs_`,)
        The standardization of `y` (0 and 1 with ``scale_target=False``).

    loss_ : str
        The loss the network was trained with (``loss="auto"`` resolved).

    ema_decay_ : float or None
        The decay of the weight average (``ema_decay="auto"`` resolved); None: the
        network has the weights of its last optimizer step.

    quantiles_ : tuple of float or None
        The quantiles forecast with ``loss="quantile"`` (sorted); None otherwise.

    start_offsets_ : ndarray of shape (n_outputs, n_quantiles) or None
        What the untrained network adds to the skip's forecast (in scaled units): the
        quantiles (the median, for absolute error) of the skip's training residuals;
        None for squared error and for quantiles scaled by `start_spread_`.

    start_spread_ : ndarray of shape (n_outputs, n_quantiles) or None
        With ``loss="quantile"``: what the untrained network adds to the skip's forecast
        per unit of the window's volatility (the mean absolute change of the target's
        past between consecutive steps of the window, in scaled units): the quantiles
        of the skip's training residuals divided by their window's volatility. An
        interval from the start is then wide after volatile days and narrow after calm
        ones. None without a skip or a known target feature (the offsets are then fixed).

    start_volatility_ : ndarray of shape (2,) or None
        The least volatility a window is given (a tenth of the training windows' median)
        and that of a window with a single real step (the median).

    input_scale_ : ndarray of shape (n_features,) or None
        What the network divides its inputs by, per feature (``scale_inputs``); None: no
        division.

    window_scaling_ : WindowScaling or None
        The per-window scaling used (``kind``, the target ``feature``, ``season``), or None.

    skip_ : LinearSkip or None
        The fitted skip forecast: ``feature`` (the target feature found), ``weight`` and
        ``bias`` over that feature's window in standardized target units, ``exact``
        (persistence map exact) and ``unit_root`` (no mean-reversion term).

    See Also
    --------
    SlidingWindow : Cut a series into one window per row.
    PersistenceRegressor : The naive forecast to compare with.

    Notes
    -----
{INPUT_NOTES}

    A 2-D `y` of shape ``(n_samples, n_outputs)`` trains one network with one output per
    column: a direct multi-step forecast when the columns are horizons.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import StandardScaler
    >>> from skrnn import SlidingWindow, {example_class}, make_supervised
    >>> series = np.sin(np.arange(300) / 10).reshape(-1, 1)
    >>> X, y = make_supervised(series, target=0)
    >>> model = make_pipeline(StandardScaler(), SlidingWindow(window=10),
    ...                       {example_class}(hidden_size=8, max_epochs=5, random_state=0))
    >>> model.fit(X, y).predict(X)[-3:].shape  # the last rows with the history before them
    (3,)
    """


# The classifiers

CONV_LAYERS = """\
    conv_layers : {1, 2}, default=2
        Split a front-end stride over 3 over two convolutions, each with a stride of about
        its square root and ``hidden_size`` channels: one convolution with a long stride
        reads the detail between its steps only through its kernel, two read it at two
        scales. Strides of 3 or less always use one convolution."""

POOLING = """\
    pooling : {"auto", "last", "mean", "max", "mean_max"}, default="auto"
        What the output layer reads: the last recurrent layer's final hidden state
        (``"last"``), or its outputs at every step averaged, maximised, or both
        concatenated (``"mean_max"``). Pooling lets a pattern anywhere in a long sequence
        reach the output directly rather than through every later step; on short
        sequences the final state reads order better. ``"auto"``: ``"mean_max"`` when the
        convolutional front end shortens the sequence (``conv_stride_ > 1``, sequences of
        75 steps or more with ``conv_stride="auto"``), else ``"last"``."""

CLASSIFIER_CENTER = """\
    center : bool or "auto", default=False
        Feed the network each window minus its last time step (per feature). Off by
        default: classes often differ by their level (the UCR/UEA archive's motion and
        speech data sets lose 20 points of accuracy with it), and sequences to classify do
        not drift out of the training range as price levels do. ``"auto"`` means False."""

SCALE_INPUTS = """\
    scale_inputs : bool, default=True
        Scale each input feature as scikit-learn's ``RobustScaler`` does, over the real
        steps of the training sequences: minus its median, divided by its interquartile
        range over 1.349 (``feature_center_``, ``feature_scale_``; for normal values, the
        mean and standard deviation). One map for every step and sequence, so levels that
        tell classes apart are kept. Sequences in raw units (counts in the hundreds,
        sensors with different ranges) saturate the recurrent units otherwise, and a 3-D
        array has no scikit-learn scaler to put in front. Quartiles rather than moments,
        because a few sequences of much larger amplitude would set the standard deviation
        and squash the others to near-constants. Features whose magnitudes span orders
        (currents of appliances from chargers to heaters) are better log-transformed
        first."""

CLASSIFIER_LR = """\
    lr : float, default=3e-3
        Learning rate."""

CLASSIFICATION_PARAMS = """\
    class_weight : dict, "balanced" or None, default=None
        Weights of the classes in the loss, as in scikit-learn: ``{label: weight}``, or
        ``"balanced"`` for weights inversely proportional to class frequencies in `y`."""

AVERAGE_FOLDS = """\
    average_folds : bool, default=True
        With early stopping, predict the mean class probabilities of the final network
        and of the early-stopping folds' networks, each stopped at its best epoch
        (``fold_weights_``). Those networks are trained anyway to choose the number of
        epochs, so the average costs prediction time (up to four networks run instead of
        one) and file size, not training time. A few dozen training sequences leave each
        network's decision boundary to chance; the average smooths it: on seven datasets
        of the UCR/UEA archive it raised the mean test accuracy of 10 of 14 LSTM and GRU
        classifiers (by up to 0.09, on gesture data of 50 training sequences) and lowered
        2, by 0.002."""


def classifier_doc(title, cell_text, extra_params="", example_class="LSTMClassifier"):
    """The docstring of a public classifier class."""
    return f"""{title}

    {cell_text}

    Parameters
    ----------
{extra_params}{NETWORK_PARAMS}

{CONV_STRIDE.format(default='"auto"')}

{CONV_LAYERS}

{POOLING}

{CLASSIFIER_CENTER}

{SCALE_INPUTS}

{CLASSIFICATION_PARAMS}

{AVERAGE_FOLDS}

{training_params(CLASSIFIER_LR, CLASSIFIER_EARLY_STOPPING, 300, CLASSIFIER_STOPPING)}

{LAGS_PARAM}

    Attributes
    ----------
{FITTED_ATTRIBUTES}

{LAG_LAYOUT_ATTRIBUTE}

    classes_ : ndarray of shape (n_classes,)
        The class labels (any labels: strings, ints, ...).

    class_weight_ : ndarray of shape (n_classes,) or None
        The weight of each class in the loss.

    pooling_ : str
        What the output layer reads (``pooling`` with "auto" resolved).

    fold_weights_ : list of dict
        The weights (``state_dict`` as arrays) of the early-stopping folds' networks that
        ``average_folds`` averages with ``net_``. Empty without it, without early stopping,
        and after a ``warm_start`` fit, which trains ``net_`` alone.

    feature_center_, feature_scale_ : ndarray of shape (n_features,) or None
        What ``scale_inputs`` subtracts from and divides each input feature by (None
        without it).

    See Also
    --------
    SlidingWindow : Cut a series into one window per row.
    sklearn.dummy.DummyClassifier : The majority-class baseline to compare with.

    Notes
    -----
{INPUT_NOTES}

    Examples
    --------
    >>> import numpy as np
    >>> from skrnn import {example_class}
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(200, 5, 1)).cumsum(axis=1)
    >>> y = np.where(X[:, -1, 0] > X[:, 0, 0], "up", "down")
    >>> clf = {example_class}(hidden_size=8, max_epochs=20, random_state=0).fit(X, y)
    >>> clf.classes_
    array(['down', 'up'], dtype='<U4')
    >>> clf.predict_proba(X[:2]).shape
    (2, 2)
    """
