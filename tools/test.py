# Evaluate an SHT / DHLN checkpoint with SHTRunner (mmengine's Runner; a
# checkpoint that lacks a weight of the model or holds one it does not
# have is an error naming the file; mmpose's tools/test.py options). Works
# from any current directory.
#
# At the end it prints every metric of the config's test_evaluator as a
# table with one column per dataset subset, writes them as JSON with --out,
# and every FaceLandmarkMetric draws its CED plots (PNG) into --ced-dir
# (default <work_dir>/ced).
import argparse
import os.path as osp
import sys

sys.path.insert(0, osp.join(osp.dirname(osp.abspath(__file__)), '..', 'projects'))
import sht  # noqa: E402,F401  (before mmengine: hides a torch notice)
from mmengine.config import Config  # noqa: E402
from mmengine.dist import is_main_process  # noqa: E402
from sht.evaluation import (format_metric_table,  # noqa: E402
                            save_metrics_json)
from sht.utils.launch import (parse_launch_args,  # noqa: E402
                              runner_from_args)

# test_evaluator entries that draw CED plots when given a ced_dir
CED_METRICS = ('FaceLandmarkMetric', )


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description='Evaluate an SHT model')
    parser.add_argument('config', help='test config file path')
    parser.add_argument('checkpoint', help='checkpoint file')
    parser.add_argument('--work-dir', help='the dir to save evaluation logs')
    parser.add_argument(
        '--out', help='write the evaluation metrics to this JSON file')
    parser.add_argument(
        '--dump', help='dump the predictions to this pickle file (.pkl)')
    parser.add_argument(
        '--ced-dir',
        help='folder of the CED plots (PNG) of the test set and each subset '
        '(default: <work_dir>/ced; "none" for no plots)')
    return parse_launch_args(
        parser, 'override settings in the config, key=value pairs')


def merge_args(cfg: Config, args: argparse.Namespace) -> Config:
    """Apply the command-line options to the config (mmpose semantics)."""
    cfg.launcher = args.launcher
    cfg.load_from = args.checkpoint
    # testing loads weights only (a training config with resume=True would
    # otherwise try to restore an optimizer the test runner does not build)
    cfg.resume = False
    # Evaluate the inference model: without a train_cfg the SHT estimator
    # builds DHLN alone (no FPTN, no discriminators, no VGG weights needed).
    cfg.model.train_cfg = None
    if args.work_dir is not None:
        cfg.work_dir = args.work_dir
    elif cfg.get('work_dir', None) is None:
        cfg.work_dir = osp.join('./work_dirs',
                                osp.splitext(osp.basename(args.config))[0])
    if args.dump is not None:
        if not args.dump.endswith(('.pkl', '.pickle')):
            raise ValueError(f'--dump must end with .pkl, got {args.dump!r}')
        dump = dict(type='DumpResults', out_file_path=args.dump)
        evaluator = cfg.test_evaluator
        if isinstance(evaluator, dict) and 'metrics' in evaluator:
            # an Evaluator config: dict(type=..., metrics=[...])
            metrics = evaluator['metrics']
            metrics = [metrics] if isinstance(metrics, dict) else list(metrics)
            evaluator['metrics'] = metrics + [dump]
        else:
            if isinstance(evaluator, dict):
                evaluator = [evaluator]
            cfg.test_evaluator = list(evaluator) + [dump]
    if args.cfg_options is not None:
        cfg.merge_from_dict(args.cfg_options)
    ced_dir = args.ced_dir or osp.join(cfg.work_dir, 'ced')
    if ced_dir.lower() != 'none':
        set_ced_dir(cfg, ced_dir)
    return cfg


def set_ced_dir(cfg: Config, ced_dir: str) -> None:
    """Give every CED-drawing test metric without a ``ced_dir`` this one."""
    evaluator = cfg.test_evaluator
    if isinstance(evaluator, dict) and 'metrics' in evaluator:
        evaluator = evaluator['metrics']
    if isinstance(evaluator, dict):
        evaluator = [evaluator]
    for metric in evaluator:
        if str(metric.get('type', '')).split('.')[-1] in CED_METRICS \
                and metric.get('ced_dir', None) is None:
            metric['ced_dir'] = ced_dir


def main() -> None:
    args = parse_args()
    runner = runner_from_args(args, merge_args)
    metrics = runner.test()
    if metrics:
        # definitions and units: docs/evaluation.md
        runner.logger.info('metrics per subset (NME, AUC, FR in %; PSNR in '
                           'dB):\n' + format_metric_table(metrics))
    if args.out is not None and is_main_process():
        save_metrics_json(metrics, args.out)
        runner.logger.info(f'metrics written to {args.out}')


if __name__ == '__main__':
    main()
