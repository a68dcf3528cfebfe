"""Count the parameters of a config's model, per top-level sub-module.

    python tools/analysis_tools/count_parameters.py CONFIG [--cfg-options k=v]

Prints total / trainable parameters of the whole model and of each child
(backbone, neck, head, momentum encoders, ...). Buffers (memory banks,
queues, BN statistics) are listed separately since they are state, not
parameters.
"""
import argparse
from typing import Dict, List

import torch


def count(module: torch.nn.Module) -> Dict[str, int]:
    """``{'total', 'trainable', 'buffers'}`` element counts of ``module``."""
    params = list(module.parameters())
    return dict(
        total=sum(p.numel() for p in params),
        trainable=sum(p.numel() for p in params if p.requires_grad),
        buffers=sum(b.numel() for b in module.buffers()))


def count_table(model: torch.nn.Module) -> List[dict]:
    """One row per direct child plus a ``(total)`` row."""
    rows = [dict(name=name, type=type(child).__name__, **count(child))
            for name, child in model.named_children()]
    rows.append(dict(name='(total)', type=type(model).__name__,
                     **count(model)))
    return rows


def format_table(rows: List[dict]) -> str:
    lines = [f'{"module":<22}{"type":<28}{"params":>14}{"trainable":>14}'
             f'{"buffers":>14}']
    for r in rows:
        lines.append(f'{r["name"]:<22}{r["type"][:27]:<28}{r["total"]:>14,}'
                     f'{r["trainable"]:>14,}{r["buffers"]:>14,}')
    return '\n'.join(lines)


def build_model(config: str, cfg_options: dict = None) -> torch.nn.Module:
    from mmengine.config import Config
    from mmengine.registry import init_default_scope
    from mmengine.utils import import_modules_from_strings
    cfg = Config.fromfile(config)
    if cfg_options:
        cfg.merge_from_dict(cfg_options)
    if cfg.get('custom_imports'):
        import_modules_from_strings(**cfg.custom_imports)
    init_default_scope(cfg.get('default_scope', 'mmpretrain'))
    from mmengine.registry import MODELS
    model_cfg = cfg.model.copy()
    if cfg.get('data_preprocessor') is not None:
        model_cfg.setdefault('data_preprocessor', cfg.data_preprocessor)
    return MODELS.build(model_cfg)


def main(argv=None) -> List[dict]:
    from mmengine.config import DictAction
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('config')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction)
    args = parser.parse_args(argv)
    rows = count_table(build_model(args.config, args.cfg_options))
    print(format_table(rows))
    return rows


if __name__ == '__main__':
    main()
