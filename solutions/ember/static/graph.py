"""Graphs and nodes of ``ember.static``: a program described first, run later.

In TensorFlow 1, ``a + b`` computes nothing: it adds a node to the default graph and
returns a symbolic handle (``tf.Tensor``) with a name, a static shape and a dtype. Values
exist only inside ``Session.run``. ``Node`` is that handle here; ``Graph`` owns the nodes
and gives them unique names (``add``, ``add_1``, ...).

Control flow (``while_loop``, ``cond``) builds its loop body and branches as subgraphs:
the nodes a body creates belong to a ``Frame``, so the session knows which nodes must be
recomputed on every iteration and which outside nodes the loop reads ("captures").

Example:
    >>> from ember import static
    >>> static.reset_default_graph()
    >>> a = static.constant([1.0, 2.0])
    >>> a + a
    <ember.static.Node 'add:0' shape=(2,) dtype=float32>
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Any

from ember._dtype import as_dtype, dtype, float32


class Frame:
    """The nodes built while a loop body or a branch function runs (TF1's control context)."""

    def __init__(self, name: str, parent: Frame | None) -> None:
        self.name = name
        self.parent = parent

    def contains(self, frame: Frame | None) -> bool:
        """True when ``frame`` is this frame or nested inside it."""
        while frame is not None:
            if frame is self:
                return True
            frame = frame.parent
        return False

    def captures(self, outputs: list[Node]) -> list[Node]:
        """The outside nodes that the nodes of this frame (and ``outputs``) read.

        They become inputs of the control-flow node, so the session computes them once,
        before the loop or branch runs, like any other input.
        """
        captured: dict[int, Node] = {}
        seen: set[int] = set()
        stack = list(outputs)
        while stack:
            node = stack.pop()
            if id(node) in seen:
                continue
            seen.add(id(node))
            if self.contains(node.frame):
                stack.extend(node.inputs)
            else:
                captured[id(node)] = node
        return list(captured.values())


class Graph:
    """A collection of nodes with unique names; the default one is used unless told.

    Example:
        >>> from ember import static
        >>> g = static.Graph()
        >>> with g.as_default():
        ...     c = static.constant(1.0)
        >>> c.graph is g
        True
    """

    def __init__(self) -> None:
        self._name_counts: dict[str, int] = {}
        self._variables: list[Node] = []
        self._frame: Frame | None = None

    def unique_name(self, base: str) -> str:
        """``base``, or ``base_1``, ``base_2``... when that name is taken."""
        count = self._name_counts.get(base, 0)
        self._name_counts[base] = count + 1
        return base if count == 0 else f"{base}_{count}"

    @contextlib.contextmanager
    def as_default(self) -> Iterator[Graph]:
        """Make this graph the default one inside a ``with`` block."""
        _default_graphs.append(self)
        try:
            yield self
        finally:
            _default_graphs.pop()

    @contextlib.contextmanager
    def _frame_scope(self, name: str) -> Iterator[Frame]:
        """Collect the nodes built in the block into a new frame (a loop body, a branch)."""
        frame = Frame(name, self._frame)
        self._frame = frame
        try:
            yield frame
        finally:
            self._frame = frame.parent


_default_graphs: list[Graph] = [Graph()]

#: The sessions of the enclosing ``with Session():`` blocks, innermost last. The stack lives
#: here, beside the default graph, as in TensorFlow (``framework/ops.py``): ``Node.eval``
#: needs the default session, and the session module imports this one.
DEFAULT_SESSIONS: list[Any] = []


def get_default_graph() -> Graph:
    """The graph new nodes are added to."""
    return _default_graphs[-1]


def get_default_session() -> Any:
    """The innermost session of a ``with Session() as sess:`` block."""
    if not DEFAULT_SESSIONS:
        raise ValueError("Cannot evaluate a node using `eval()`: no default session is "
                         "registered. Use `with static.Session() as sess:` or pass "
                         "`session=sess`.")
    return DEFAULT_SESSIONS[-1]


def reset_default_graph() -> None:
    """Start a fresh, empty default graph (names start again at ``add``, ``Const``...)."""
    _default_graphs[0] = Graph()


def format_shape(shape: tuple | None, style: str = "tuple") -> str:
    """``(2, None)`` as ``(2, ?)`` or ``[2,?]`` (TensorFlow's two ways to print a shape)."""
    if shape is None:
        return "<unknown>"
    dims = ["?" if d is None else str(d) for d in shape]
    if style == "list":
        return "[" + ",".join(dims) + "]"
    return "(" + ", ".join(dims) + ("," if len(dims) == 1 else "") + ")"


def dtype_name(dt: dtype | None) -> str:
    """``float32`` (repr style), without the ``ember.`` prefix."""
    return "<no value>" if dt is None else repr(dt).removeprefix("ember.")


def as_static_dtype(value: Any) -> dtype:
    """An ember dtype from ``ember.float32``, ``"float32"``, ``"float"`` (TF's float32)..."""
    if isinstance(value, str) and value == "float":
        return float32
    return as_dtype(value)


class Node:
    """One output of an operation in a static graph (TensorFlow 1's ``tf.Tensor``).

    A node has no value: ``Session.run`` computes one. Arithmetic and comparisons on
    nodes build new nodes; ``bool(node)`` is an error because the value is unknown while
    the graph is built (use ``static.cond``).

    Attributes:
        op: the operation type, e.g. ``"AddV2"``, ``"Placeholder"``, ``"While"``.
        inputs: the nodes whose values ``compute`` receives, in order.
        shape: the static shape, a tuple with ``None`` for unknown sizes (or ``None``).
        dtype: the ember dtype of the value (``None`` for operations without a value).
        compute: ``compute(*input_values) -> Tensor`` for ordinary operations.
        attrs: what special operations need (a loop's body, a variable's initial value).
        frame: the loop body or branch the node was built in (``None`` at top level).
    """

    __array_ufunc__ = None  # NumPy arrays defer to our reflected operators

    def __init__(self, op: str, name: str, inputs: tuple = (), *,
                 shape: tuple | None = None, dtype: dtype | None = None,
                 compute: Callable[..., Any] | None = None,
                 attrs: dict | None = None, index: int = 0, graph: Graph | None = None) -> None:
        self.graph = graph if graph is not None else get_default_graph()
        self.op = op
        self._op_name = name
        self.index = index
        self.inputs = tuple(inputs)
        self.shape = None if shape is None else tuple(shape)
        self.dtype = dtype
        self.compute = compute
        self.attrs = attrs or {}
        self.frame = self.graph._frame

    @property
    def name(self) -> str:
        """``"add:0"``: the operation's name and the output's index."""
        return f"{self._op_name}:{self.index}"

    def get_shape(self) -> tuple | None:
        """The static shape (TensorFlow's spelling)."""
        return self.shape

    def eval(self, feed_dict: dict | None = None, session: Any = None) -> Any:
        """``session.run(self, feed_dict)`` in the given or the default session."""
        session = session if session is not None else get_default_session()
        return session.run(self, feed_dict=feed_dict)

    def __repr__(self) -> str:
        kind = type(self).__name__
        return (f"<ember.static.{kind} '{self.name}' shape={format_shape(self.shape)} "
                f"dtype={dtype_name(self.dtype)}>")

    def __bool__(self) -> bool:
        raise TypeError(
            "Using a `static.Node` as a Python `bool` is not allowed. Use `if t is not None:` "
            "instead of `if t:` to test if a node is defined, and use `static.cond` or "
            "`static.while_loop` to execute subgraphs conditioned on the value of a node "
            "(its value exists only inside `Session.run`).")

    def __iter__(self) -> Iterator[Node]:
        raise TypeError("`static.Node` objects are not iterable: a node has no value until "
                        "`Session.run` computes it.")

    # ``==`` builds an ``Equal`` node (ember/static/ops.py binds the operators), so
    # hashing must stay by identity for nodes to work as dict keys and feed_dict keys.
    __hash__ = object.__hash__
