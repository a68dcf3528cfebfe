"""MMSelfSup's hook argument names, accepted by our hooks.

A ported MMSelfSup config passes its hooks MMSelfSup's argument names
(``DeepClusterHook(extractor=..., clustering=dict(type='Kmeans', k=...),
unif_sampling=...)``, ``ODCHook(dist_mode=...)``,
``MomentumUpdateHook(end_momentum=...)``). :func:`accepts_mmselfsup_args`
wraps a hook's ``__init__`` so that those names are translated to ours before
the real ``__init__`` runs, each with one ``DeprecationWarning`` that names
the argument to use instead (:class:`MMSelfSupArgWarning`, shown by
default). A name given in both spellings is an error.

Each alias is an :class:`Alias`: the new argument names it feeds and a
function from the old value to ``{new name: value}`` (an empty dict for
arguments that have no counterpart because the behaviour is automatic now,
e.g. ``dist_mode``).
"""
import functools
import warnings
from typing import Any, Callable, Dict, NamedTuple, Tuple


class MMSelfSupArgWarning(DeprecationWarning):
    """An MMSelfSup argument name was translated (shown by default, unlike
    plain DeprecationWarnings raised outside ``__main__``)."""


warnings.simplefilter('default', MMSelfSupArgWarning)


class Alias(NamedTuple):
    """One MMSelfSup argument: ``convert(old value) -> {new: value}``.

    Args:
        new (tuple[str]): the arguments that replace it (empty: none, the
            argument is ignored).
        convert (callable): old value -> dict of new argument values.
        hint (str): what to write instead, for the warning.
    """
    new: Tuple[str, ...]
    convert: Callable[[Any], Dict[str, Any]]
    hint: str


def renamed(new: str) -> Alias:
    """The same value under another name."""
    return Alias((new, ), lambda value: {new: value}, f'`{new}`')


def ignored(reason: str) -> Alias:
    """An argument whose behaviour is automatic now (its value is dropped)."""
    return Alias((), lambda value: {}, f'nothing ({reason}); remove it')


def translate_mmselfsup_args(owner: str, kwargs: Dict[str, Any],
                             aliases: Dict[str, Alias]) -> Dict[str, Any]:
    """Return ``kwargs`` with MMSelfSup's names replaced by ours.

    Args:
        owner (str): the hook's name, for messages.
        kwargs (dict): the keyword arguments as given.
        aliases (dict[str, Alias]): MMSelfSup name -> alias.

    Returns:
        dict: the keyword arguments in our names.

    Raises:
        TypeError: an MMSelfSup name and the name replacing it were both
            given.
    """
    out = {k: v for k, v in kwargs.items() if k not in aliases}
    for old in [k for k in kwargs if k in aliases]:
        alias = aliases[old]
        warnings.warn(
            f'{owner}({old}=...) is MMSelfSup\'s argument; use '
            f'{alias.hint} instead.', MMSelfSupArgWarning, stacklevel=3)
        for new, value in alias.convert(kwargs[old]).items():
            if new in out:
                raise TypeError(
                    f'{owner} got both `{old}` (MMSelfSup\'s name) and '
                    f'`{new}`, which replaces it: keep `{new}` only.')
            out[new] = value
    return out


def accepts_mmselfsup_args(aliases: Dict[str, Alias]):
    """Decorate a hook's ``__init__`` to accept MMSelfSup's argument names
    (see :func:`translate_mmselfsup_args`)."""

    def decorator(init):

        @functools.wraps(init)
        def wrapper(self, *args, **kwargs):
            kwargs = translate_mmselfsup_args(
                type(self).__name__, kwargs, aliases)
            init(self, *args, **kwargs)

        wrapper.mmselfsup_aliases = dict(aliases)
        return wrapper

    return decorator
