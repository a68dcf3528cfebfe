"""Every fenced block of README.md and docs/*.md, and the test that runs it.

Key: ``'<file>#<hash>'``, the first 8 hex digits of the SHA-1 of the block's
dedented text (tests/test_docs/snippets.py). Editing a block changes its key:
tests/test_docs/test_docs_registered.py then fails, names the file, line and
new key, and the fix is this one line. Kinds:

* ``run(test)``: the test executes the block's own text, taken from the
  document (``blocks_for(request)``), with the rewrites it prints (tiny
  configs, one CPU process, ...);
* ``covered(test, note)``: the test runs the same command or config, but not
  the block's text; ``note`` says what it runs instead;
* ``synopsis(test, note)``: a usage summary with placeholders (CONFIG,
  PARTITION, ``[...]``); the test checks the scripts, arguments and flags it
  names;
* ``not_command(reason)``: output, a layout, a table: nothing to run.
"""
from dataclasses import dataclass
from typing import Optional

KINDS = ('run', 'covered', 'synopsis', 'not-a-command')


@dataclass(frozen=True)
class Entry:
    kind: str
    test: Optional[str]
    note: str = ''


def run(test: str, note: str = '') -> Entry:
    return Entry('run', test, note)


def covered(test: str, note: str) -> Entry:
    return Entry('covered', test, note)


def synopsis(test: str, note: str) -> Entry:
    return Entry('synopsis', test, note)


def not_command(reason: str) -> Entry:
    return Entry('not-a-command', None, reason)


T = 'tests/test_docs/'
README = T + 'test_readme_blocks.py::'
EVAL = T + 'test_evaluation_blocks.py::'
CUSTOM = T + 'test_custom_data.py::'
FROM_0X = T + 'test_from_mmselfsup.py::test_documented_walkthrough_runs'
PACKAGING = ('tests/test_packaging/test_install_keeps_stack.py::'
             'test_install_keeps_torch_and_numpy')
FMNIST_TABLE = ('tests/test_tools/test_fashion_mnist_table.py::'
                'test_finished_steps_are_not_rerun_and_table')

LAUNCH = 'tests/test_tools/test_launchers.py::'

SNIPPETS = {
    # docs/launchers.md: every line run through sh and bash (DRY_RUN=1: all
    # checks and translations, the command built); real CPU runs of the
    # manual's sequence: test_launchers.py::test_cpu_pretrain_resume_knn_epoch_linear
    'docs/launchers.md#cf02abcf': run(LAUNCH + 'test_documented_commands_run', 'DRY_RUN=1 under sh and bash'),
    'docs/launchers.md#0c5fbb90': run(LAUNCH + 'test_documented_commands_run', 'DRY_RUN=1 under sh and bash'),
    'docs/launchers.md#12ed5585': run(LAUNCH + 'test_documented_commands_run', 'DRY_RUN=1 under sh and bash'),
    # README.md
    'README.md#6b987b7a': run(README + 'test_custom_imports_line_loads_the_plugin'),
    'README.md#f5a125f3': run('tests/test_tools/test_migrate_mmselfsup_config.py::test_readme_command', 'the output file goes to a temporary folder'),
    'README.md#63a07afb': run(README + 'test_make_targets_dry_run', 'make -n'),
    'README.md#92b56099': covered(FMNIST_TABLE, 'main() with the same --model/--work-dir arguments on cached step results (no benchmark is rerun); each step\'s benchmark has its own tests in tests/test_evaluation'),
    'README.md#c04e3aa6': covered('tests/test_transfer/test_transfer_table.py::test_cached_results_and_table', 'the table script on cached results; the mim train / mim_dist_train.sh path of each cell: tests/test_transfer/test_transfer_train.py (needs mmcv ops); the converters: tests/test_transfer/test_dataset_converters.py'),
    'README.md#4499f2c5': run(README + 'test_own_config_lines_parse_and_build', "the `...` of dict(type='MomentumUpdateHook', ...) left out"),
    'README.md#353a6890': run('tests/test_engine/test_atomic_checkpoint_hook.py::test_readme_snippet_trains_and_checkpoints_rng_state', 'reads the block from README.md itself; tests/test_configs/test_runtime.py::test_readme_line_on_mmpretrain_runtime appends it to a config file on an mmpretrain recipe'),
    'README.md#f948e138': synopsis(README + 'test_launcher_synopsis', 'scripts exist and take the arguments shown (their usage lines), flags translate, the mim config parses; multi-process runs: tests/test_tools/test_seed_args.py, tests/test_engine/test_knn_eval_hook.py'),
    'README.md#faff3597': covered(PACKAGING, "pip's resolver on `pip install -e .[faiss,mim]` in a venv holding torch 2.11 + numpy 2.5 (dry run: nothing downloaded)"),
    'README.md#ea7a3719': run(README + 'test_data_converter_commands', '--limit-train 30 --limit-test 10 for Fashion-MNIST'),
    # docs/batched_augmentation.md
    'docs/batched_augmentation.md#403a98b3': run('tests/test_configs/test_batched_aug_configs.py::test_documented_switch_on_mmpretrain_configs', 'reads the block after <!-- switch-snippet --> itself'),
    'docs/batched_augmentation.md#dc45cf15': run(T + 'test_batched_aug_blocks.py::test_complete_example_config'),
    # docs/installation.md
    'docs/installation.md#708f3bcf': covered(PACKAGING, "pip's resolver on the same installs (PyPI name, checkout, mmcv-lite range)"),
    # docs/evaluation.md
    'docs/evaluation.md#fc254a40': synopsis(EVAL + 'test_launcher_synopses', 'runs: tests/test_engine/test_knn_eval_hook.py::test_dist_knn_script_two_processes_equals_one: dist_test_knn_pretrain.sh with GPUS=0 and GPUS=2 on a tiny config; test_knn.py options: tests/test_engine/test_knn_eval_hook.py::test_knn_data_option_supplies_missing_splits; the epoch script: ::test_missing_checkpoint_is_explained'),
    'docs/evaluation.md#d00edaa8': run(EVAL + 'test_knn_eval_hook_lines_train', 'interval=10 -> 1'),
    'docs/evaluation.md#dade9c0e': covered('tests/test_tools/test_extract_backbone_weights.py::test_verify_config_cli', 'the CLI with --verify-config on a tiny checkpoint and config'),
    'docs/evaluation.md#aac57c3b': covered('tests/test_tools/test_extract_backbone_weights.py::test_round_trip_downstream_resnet', "an excerpt (`...`): the extracted file loaded with prefix='backbone.' into mmdet's and mmseg's ResNet, every tensor compared"),
    'docs/evaluation.md#6c230afa': synopsis(EVAL + 'test_launcher_synopses', 'runs: tests/test_evaluation/test_benchmark_configs.py::test_cpu_sibling_trains: the CPU linear/mhead configs trained from an extracted backbone through the Runner; the launcher scripts themselves are not run by the suite'),
    'docs/evaluation.md#085e1657': run(EVAL + 'test_semi_supervised_subset_commands'),
    'docs/evaluation.md#2fe9798e': synopsis(EVAL + 'test_launcher_synopses', 'runs: tests/test_evaluation/test_benchmark_configs.py::test_cpu_sibling_trains: the CPU semi-supervised config trained through the Runner; the launcher scripts themselves are not run by the suite'),
    'docs/evaluation.md#ecc3429b': synopsis(EVAL + 'test_launcher_synopses', 'runs: tests/test_evaluation/test_svm_voc07_script.py::test_two_processes_match_one: svm_voc07.py with 1 and 2 processes, low-shot: ::test_single_process_with_low_shot; the shell wrappers are not run by the suite'),
    'docs/evaluation.md#92b56099': covered(FMNIST_TABLE, 'as the same block in README.md'),
    'docs/evaluation.md#fda11895': covered('tests/test_tools/test_analysis_tools.py::test_tsne_mmselfsup_command_line', "visualize_tsne.py in MMSelfSup's form (CONFIG --checkpoint --work-dir --layer-ind 0,4 --max-num-class 5, plus --n-iter 250) on a tiny ResNet_CIFAR config with extract_dataloader; the --ann-file/--out-dir form: ::test_tsne_from_extracted_backbone; count_parameters.py: ::test_count_parameters_frozen_backbone"),
    # docs/custom_data.md
    'docs/custom_data.md#9117494f': run(CUSTOM + 'test_layout_block_is_what_the_test_writes'),
    'docs/custom_data.md#7ae4848a': run(CUSTOM + 'test_documented_sequence_runs', 'tiny-cpu configs, one CPU process'),
    'docs/custom_data.md#f87e39df': run(CUSTOM + 'test_documented_sequence_runs', 'tiny-cpu configs, one CPU process'),
    'docs/custom_data.md#720d3157': run(CUSTOM + 'test_settings_block_is_the_config'),
    'docs/custom_data.md#93f95ec0': run(CUSTOM + 'test_documented_sequence_runs', 'tiny-cpu configs, one CPU process'),
    # docs/from_mmselfsup.md
    'docs/from_mmselfsup.md#ccd1cf63': run(FROM_0X, 'OLD, CKPT, EPOCHS, KNN_DATA, LINEAR -> tiny values (listed at the end of the page)'),
    'docs/from_mmselfsup.md#89c6726e': run(FROM_0X, 'the tiny 0.x ODC fixture'),
    'docs/from_mmselfsup.md#6449d74d': run(FROM_0X, 'a fabricated tiny 0.x ODC checkpoint, 1 epoch, one CPU process'),
    'docs/from_mmselfsup.md#e7795c14': run(FROM_0X, 'tiny kNN splits'),
    'docs/from_mmselfsup.md#32d07c4a': run(FROM_0X, 'GPUS=0, the linear config shrunk'),
    'docs/from_mmselfsup.md#e7edcf09': run(FROM_0X, 'a 2-class list of the tiny folder instead of VOC07'),
}
