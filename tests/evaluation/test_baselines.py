"""The mean-shape baseline, by hand."""
import numpy as np

from sht.evaluation.baselines import mean_shape


def test_mean_shape_baseline_by_hand():

    class Faces:
        infos = [
            dict(bbox=np.array([[0., 0., 80., 80.]]), labeled=True,
                 keypoints=np.array([[[10., 20.], [50., 60.]]])),
            dict(bbox=np.array([[100., 100., 140., 140.]]), labeled=True,
                 keypoints=np.array([[[110., 115.], [130., 135.]]])),
            dict(bbox=np.array([[0., 0., 9., 9.]]), labeled=False,
                 keypoints=np.zeros((1, 2, 2))),
        ]

        def __len__(self):
            return len(self.infos)

        def get_data_info(self, i):
            return self.infos[i]

    shape = mean_shape(Faces())
    # crop = box padded by 1.25 around its centre: side 100 (centre 40, 40)
    # and side 50 (centre 120, 120); u = (p - c) / side + 0.5
    first = np.array([[-30 / 100, -20 / 100], [10 / 100, 20 / 100]]) + 0.5
    second = np.array([[-10 / 50, -5 / 50], [10 / 50, 15 / 50]]) + 0.5
    np.testing.assert_allclose(shape, (first + second) / 2, atol=1e-6)
