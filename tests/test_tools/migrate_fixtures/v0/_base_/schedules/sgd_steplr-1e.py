optimizer = dict(type='SGD', lr=0.03, weight_decay=1e-4, momentum=0.9)
optimizer_config = dict()
lr_config = dict(policy='step', step=[120, 160])
runner = dict(type='EpochBasedRunner', max_epochs=1)
