"""Collate function for the spawn tests. It must not import mmssl_ext: it
reports, from inside a DataLoader worker, whether something else did."""
import sys


def probe_collate(batch):
    import mmcv
    return dict(n=len(batch), mmssl_ext='mmssl_ext' in sys.modules,
                adjust_hue=mmcv.adjust_hue.__module__)
