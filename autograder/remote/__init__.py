"""The student's ``ember`` in another process: why a graded run cannot be forged from inside.

The problem. A test process that imports the student's package runs the student's code
with the test's own rights: ``ember/__init__.py`` can rewrite pytest's reports, replace
``numpy.testing``, patch the check helper or write the results file, and no check made in
that same process can be trusted afterwards (it can be patched too). Sentinel tests only
detect the clumsy forger. So the design keeps student code out of the process that decides.

The design. A graded pytest process is *trusted*: it imports the test files, the reference
values they compute and the assertion helpers, and never the student's code. ``import
ember`` there yields proxies (:mod:`.proxies`); each attribute access, call or operator on
one is a request over a socket pair to the *worker* (:mod:`.worker`), a separate
interpreter started with ``-I -S`` inside the OS sandbox (:mod:`autograder.sandbox`),
which imports the student's ``ember`` and answers. What crosses back is data, never code:
the codec (:mod:`.codec`) carries numbers, strings, NumPy arrays (as bytes with dtype and
shape), containers of those, exceptions as type name and message, and handles to objects
that stay in the worker (a handle is only an id). Messages are framed plain data read by an
unpickler that refuses every global but ``complex`` (:mod:`.wire`), so no code and no
object of the student's choosing can ride along. So:

* every assertion runs trusted-side, on copies of the student's values, against reference
  values the trusted side computed itself;
* the JUnit report is written by a process the student's code never ran in, and the
  grader reads it from a folder the worker cannot see;
* what the student's code may still do is answer wrongly, slowly or not at all: a wrong
  answer fails the test, a slow one hits the per-test deadline (the worker is killed and
  restarted for the next test), a crash ends the worker (the test fails, the next one
  gets a fresh worker).

Test code that must run beside ``ember`` (a subclass of ``nn.Module`` defined in a test,
a callback such as a backward hook) is shipped to the worker by :mod:`.shipping` or runs
trusted-side as a callback the worker invokes; it is the test's code, not the student's,
and its results still come back as data.

The price is a round trip (about 100 microseconds on 2 cores) per proxied operation; the
suites are written so that a test makes hundreds, not millions. The module's parts:
:mod:`.wire` (framing), :mod:`.codec` (values), :mod:`.worker` (the student's side),
:mod:`.client` (the trusted side), :mod:`.proxies` (what tests see), :mod:`.shipping`
(test code sent to the worker).
"""
