import json


def _coco_list(tmp_path):
    (tmp_path / 'imgs').mkdir()
    ann = tmp_path / 'ann.json'
    ann.write_text(json.dumps({'images': [{'id': 1, 'file_name': 'a.png'}]}))
    return dict(type='COCOImageList', data_root=str(tmp_path),
                ann_file='ann.json', data_prefix='imgs/')


EXAMPLES = {
    'TRANSFORMS': {
        'PackSelfSupInputs': dict(type='PackSelfSupInputs',
                                  meta_keys=['img_path']),
    },
    'DATASETS': {
        'COCOImageList': _coco_list,
    },
}


def _knn_hook(tmp_path):
    loader = dict(batch_size=2, sampler=dict(type='DefaultSampler',
                                             shuffle=False),
                  dataset=dict(type='CustomDataset', data_root=str(tmp_path)))
    return dict(type='KNNEvalHook', train_dataloader=loader,
                test_dataloader=loader)


EXAMPLES['HOOKS'] = {'KNNEvalHook': _knn_hook}
