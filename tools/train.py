# Train an SHT / DHLN model with SHTRunner (mmengine's Runner with checked
# checkpoint loading and resuming; mmpose's tools/train.py options). Works
# from any current directory. --amp needs CUDA.
import argparse
import os.path as osp
import sys

sys.path.insert(0, osp.join(osp.dirname(osp.abspath(__file__)), '..', 'projects'))
import sht  # noqa: E402,F401  (before mmengine: hides a torch notice)
from mmengine.config import Config  # noqa: E402
from sht.utils.launch import (parse_launch_args,  # noqa: E402
                              runner_from_args)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description='Train an SHT model')
    parser.add_argument('config', help='train config file path')
    parser.add_argument('--work-dir', help='the dir to save logs and models')
    parser.add_argument(
        '--resume',
        nargs='?',
        type=str,
        const='auto',
        help='resume from the latest checkpoint in the work dir (no value or '
        '"auto"), or from the given checkpoint path')
    parser.add_argument(
        '--amp',
        action='store_true',
        help='enable automatic mixed precision (needs CUDA)')
    parser.add_argument(
        '--no-validate',
        action='store_true',
        help='do not evaluate checkpoints during training')
    parser.add_argument(
        '--auto-scale-lr',
        action='store_true',
        help='scale the learning rate by the real batch size '
        '(config: auto_scale_lr.base_batch_size)')
    return parse_launch_args(
        parser,
        'override settings in the config, key=value pairs, e.g. '
        '"train_cfg.max_epochs=2 model.backbone.num_stacks=2"')


def check_amp_device() -> None:
    """``--amp`` (mmengine's ``AmpOptimWrapper``) needs a CUDA device (or
    an NPU / MLU / MUSA one); say so before anything is built."""
    from mmengine.device import (is_cuda_available, is_mlu_available,
                                 is_musa_available, is_npu_available)
    if not (is_cuda_available() or is_npu_available() or is_mlu_available()
            or is_musa_available()):
        raise SystemExit(
            'tools/train.py: --amp needs CUDA (mixed precision training '
            'with AmpOptimWrapper), and this host has no CUDA device; '
            'train without --amp')


def merge_args(cfg: Config, args: argparse.Namespace) -> Config:
    """Apply the command-line options to the config (mmpose semantics)."""
    cfg.launcher = args.launcher
    if args.work_dir is not None:
        cfg.work_dir = args.work_dir
    elif cfg.get('work_dir', None) is None:
        cfg.work_dir = osp.join('./work_dirs',
                                osp.splitext(osp.basename(args.config))[0])
    if args.amp:
        check_amp_device()
        wrapper = cfg.optim_wrapper
        # A dict of wrappers (generator / discriminator) gets AMP per side.
        subs = [v for v in wrapper.values() if isinstance(v, dict)
                and 'optimizer' in v] if 'optimizer' not in wrapper else [wrapper]
        for sub in subs:
            sub['type'] = 'AmpOptimWrapper'
            sub.setdefault('loss_scale', 'dynamic')
    if args.resume == 'auto':
        cfg.resume = True
        cfg.load_from = None
    elif args.resume is not None:
        cfg.resume = True
        cfg.load_from = args.resume
    if args.no_validate:
        cfg.val_cfg = None
        cfg.val_dataloader = None
        cfg.val_evaluator = None
    if args.auto_scale_lr:
        cfg.setdefault('auto_scale_lr', {})['enable'] = True
    if args.cfg_options is not None:
        cfg.merge_from_dict(args.cfg_options)
    return cfg


def main() -> None:
    runner_from_args(parse_args(), merge_args).train()


if __name__ == '__main__':
    main()
