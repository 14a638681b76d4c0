"""The errors ``Session.run`` raises, named as in TensorFlow 1 (``tf.errors``)."""


class OpError(RuntimeError):
    """An operation failed while a session ran the graph."""


class FailedPreconditionError(OpError):
    """The graph is fine but the session's state is not: a variable is uninitialised."""


class InvalidArgumentError(OpError):
    """A run received bad arguments: a placeholder it needs was not fed."""


__all__ = ["FailedPreconditionError", "InvalidArgumentError", "OpError"]
