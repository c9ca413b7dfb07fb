using NeuralCore.Kernels.Reference;
using NeuralCore.Tensors;

namespace NeuralCore.Kernels;

/// <summary>
/// The kernels of one backend: what the ops in <c>Ops/</c> call once they have checked their arguments, worked out the
/// output shape and allocated the outputs. A backend implements this once and registers it
/// (<see cref="Backend.Register"/>); <see cref="Backend.For"/> picks the implementation per call.
/// Common contract: every tensor is on the backend's device and has one dtype (float32 or float64; labels and argmax
/// indices are int32). Inputs are contiguous row-major (NHWC activations, HWIO weights) unless a method says
/// otherwise; outputs are freshly allocated, contiguous and uninitialised (every element must be written). Tensors
/// named as updated in place are contiguous and are both read and written. Shapes have been validated by the op.
/// </summary>
public interface IKernels
{
    /// <summary>Reads a and b, writes y = a (op) b with NumPy broadcasting of a and b to y's shape.</summary>
    void Binary(BinaryOp kind, Tensor a, Tensor b, Tensor y);

    /// <summary>Reads x, writes y = x * factor (same shape).</summary>
    void Scale(Tensor x, double factor, Tensor y);

    /// <summary>dst += src, elementwise (same shape; dst updated in place).</summary>
    void Accumulate(Tensor dst, Tensor src);

    /// <summary>Reads x, writes y = act(x) (same shape); <paramref name="alpha"/> is leaky_relu's slope.</summary>
    void Activate(Activation act, double alpha, Tensor x, Tensor y);

    /// <summary>Reads the forward's input x, output y and the gradient dy (all one shape); writes dx = dy * act'(x).</summary>
    void ActivationBackward(Activation act, double alpha, Tensor x, Tensor y, Tensor dy, Tensor dx);

    /// <summary>
    /// Reads x; writes y = scale * (sum of x over the axes where <paramref name="keptShape"/> is 1). keptShape is
    /// x's shape with the reduced axes set to 1; y has keptShape's element count (its shape may drop those axes).
    /// </summary>
    void Sum(Tensor x, Shape keptShape, double scale, Tensor y);

    /// <summary>Reads x; writes y (a shape x broadcasts to, NumPy rules: x right-aligned) with x repeated along the broadcast axes.</summary>
    void BroadcastTo(Tensor x, Tensor y);

    /// <summary>
    /// One pass of a 2-D convolution with geometry <paramref name="g"/> (<see cref="ConvPass"/> says which two inputs
    /// a and b are: Forward (In, W) -> Out; BackwardInput (dOut, W) -> dIn; BackwardWeight (In, dOut) -> dW). In/Out
    /// are NHWC, W is [KH, KW, InC/Groups, OutC]. Reads a and b, writes every element of result. conv_transpose2d runs
    /// these same passes with the roles swapped.
    /// </summary>
    void Conv2d(ConvPass pass, Conv2dGeometry g, Tensor a, Tensor b, Tensor result);

    /// <summary>
    /// batch_norm forward over the last axis of x [..., C]. Reads x, gamma [C], beta [C]; writes y (x's shape),
    /// saveMean [C] and saveInvStd [C] (1/sqrt(var + eps) of the statistics used). Training (attrs.Training): batch
    /// statistics with the biased variance, and runningMean / runningVar [C] updated in place with attrs.Momentum and
    /// the unbiased variance; inference: normalises with runningMean / runningVar, which are only read.
    /// </summary>
    void BatchNorm(Tensor x, Tensor gamma, Tensor beta, Tensor runningMean, Tensor runningVar, BatchNormAttrs attrs,
        Tensor y, Tensor saveMean, Tensor saveInvStd);

    /// <summary>
    /// batch_norm backward. Reads dy and x [..., C], gamma, saveMean, saveInvStd [C]; writes dx (x's shape), dGamma [C]
    /// and dBeta [C]. <paramref name="training"/>: the statistics depended on x (full formula), else dx = gamma * invstd * dy.
    /// </summary>
    void BatchNormBackward(Tensor dy, Tensor x, Tensor gamma, Tensor saveMean, Tensor saveInvStd, bool training,
        Tensor dx, Tensor dGamma, Tensor dBeta);

    /// <summary>Reads x [N, H, W, C]; writes y [N, OH, OW, C], the window maxima (padded cells never win).</summary>
    void MaxPool2d(Tensor x, Pool2dAttrs attrs, Tensor y);

    /// <summary>
    /// Reads the forward input x [N, H, W, C] and dy [N, OH, OW, C]; writes dx (x's shape): each dy element added to
    /// the first maximum of its window in window order, zero elsewhere.
    /// </summary>
    void MaxPool2dBackward(Tensor x, Tensor dy, Pool2dAttrs attrs, Tensor dx);

    /// <summary>Reads x [N, H, W, C]; writes y [N, OH, OW, C], the mean over each window's real (unpadded) cells.</summary>
    void AvgPool2d(Tensor x, Pool2dAttrs attrs, Tensor y);

    /// <summary>Reads dy [N, OH, OW, C]; writes dx [N, H, W, C] (its shape is the forward input's): each dy element spread evenly over its window's real cells.</summary>
    void AvgPool2dBackward(Tensor dy, Pool2dAttrs attrs, Tensor dx);

    /// <summary>Reads x [N, H, W, C]; writes y [N, C] or [N, 1, 1, C], the mean over H and W.</summary>
    void GlobalAvgPool(Tensor x, Tensor y);

    /// <summary>Reads x [N, H, W, C]; writes y [N, H * ScaleH, W * ScaleW, C] (nearest or half-pixel bilinear).</summary>
    void Upsample(Tensor x, UpsampleAttrs attrs, Tensor y);

    /// <summary>Reads dy [N, H * ScaleH, W * ScaleW, C]; writes dx [N, H, W, C]: each dy cell scattered with its forward weights.</summary>
    void UpsampleBackward(Tensor dy, UpsampleAttrs attrs, Tensor dx);

    /// <summary>Reads x [N, H, W, C]; writes y [N, Top + H + Bottom, Left + W + Right, C]: x in the middle, zeros around.</summary>
    void ZeroPad(Tensor x, ZeroPadAttrs attrs, Tensor y);

    /// <summary>Reads dy [N, OH, OW, C]; writes dx [N, OH - Top - Bottom, OW - Left - Right, C], dy's interior.</summary>
    void ZeroPadBackward(Tensor dy, ZeroPadAttrs attrs, Tensor dx);

    /// <summary>Reads xs (one rank and dtype, equal outside <paramref name="axis"/>); writes y, their concatenation along axis.</summary>
    void Concat(Tensor[] xs, int axis, Tensor y);

    /// <summary>
    /// Reads x; writes each ys[i], the entries [starts[i], starts[i] + ys[i].Shape[axis]) of x along <paramref name="axis"/>
    /// (slice_axis and split).
    /// </summary>
    void Slice(Tensor x, int axis, ReadOnlySpan<int> starts, Tensor[] ys);

    /// <summary>
    /// Reads x; writes y (same shape): x[i] / (1 - rate) where the Philox draw of (seed, offset + i) keeps element i,
    /// else 0 (see <see cref="DropoutAttrs"/>; the mask must match every other backend's bit for bit). rate 0 is a copy.
    /// </summary>
    void Dropout(Tensor x, double rate, ulong seed, ulong offset, Tensor y);

    /// <summary>
    /// Reads a [..., M, K] (or [..., K, M] transposed) and b [..., K, N] (or [..., N, K] transposed); writes
    /// y [..., M, N], batched over the equal leading dimensions.
    /// </summary>
    void Matmul(Tensor a, Tensor b, bool transposeA, bool transposeB, Tensor y);

    /// <summary>Reads x [..., K]; writes y (same shape): softmax over the last axis, or log_softmax when <paramref name="log"/>.</summary>
    void Softmax(Tensor x, bool log, Tensor y);

    /// <summary>
    /// Reads the forward output y and dy [..., K]; writes dx = y * (dy - sum_k(dy * y)), or for log_softmax
    /// dx = dy - exp(y) * sum_k(dy).
    /// </summary>
    void SoftmaxBackward(Tensor y, Tensor dy, bool log, Tensor dx);

    /// <summary>
    /// Fused sparse softmax cross-entropy. Reads logits [..., K], int32 labels [...] (each in [0, K) or the ignore label;
    /// on the CPU checked by the op), class weights [K] or null. Writes logSumExp [...] (per row), weightSum (scalar:
    /// sum of w[label] over counted rows) and loss (scalar: weighted mean of the rows' NLL, 0 when weightSum is 0).
    /// </summary>
    void SoftmaxCrossEntropy(Tensor logits, Tensor labels, Tensor? classWeights, int? ignoreLabel, Tensor loss, Tensor logSumExp, Tensor weightSum);

    /// <summary>
    /// Reads logits, labels, class weights (or null), the forward's logSumExp and weightSum (scalar) and dLoss (scalar);
    /// writes dLogits = (softmax - onehot) * w[label] * dLoss / weightSum per row, 0 on ignored rows and when weightSum is 0.
    /// </summary>
    void SoftmaxCrossEntropyBackward(Tensor logits, Tensor labels, Tensor? classWeights, int? ignoreLabel, Tensor logSumExp,
        Tensor weightSum, Tensor dLoss, Tensor dLogits);

    /// <summary>Reads x [..., K]; writes int32 indices [...]: the first index of each row's maximum (NaN never wins).</summary>
    void Argmax(Tensor x, Tensor indices);

    /// <summary>Keras SGD (see <see cref="Ops.SgdUpdate"/>): reads grad, updates param and velocity (null when Momentum is 0) in place.</summary>
    void SgdUpdate(Tensor param, Tensor grad, Tensor? velocity, SgdAttrs attrs);

    /// <summary>
    /// Keras Adam / AdamW (see <see cref="Ops.AdamUpdate"/>) with the step's constants already derived by the op:
    /// param -= decay * param; m = beta1 m + (1 - beta1) g; v = beta2 v + (1 - beta2) g^2; param -= lrT * m / (sqrt(v) + epsilon).
    /// Reads grad, updates param, m and v in place.
    /// </summary>
    void AdamUpdate(Tensor param, Tensor grad, Tensor m, Tensor v, double lrT, double beta1, double beta2, double epsilon, double decay);

    /// <summary>
    /// Keras 2 RMSprop (see <see cref="Ops.RmspropUpdate"/>): reads grad, updates param, ms, mom (null unless
    /// Momentum &gt; 0) and mg (null unless Centered) in place.
    /// </summary>
    void RmspropUpdate(Tensor param, Tensor grad, Tensor ms, Tensor? mom, Tensor? mg, RmspropAttrs attrs);

    /// <summary>
    /// roi_align (torchvision, aligned=False): reads x [N, H, W, C] and rois [K, 5] = (batch index, x1, y1, x2, y2);
    /// writes y [K, PooledH, PooledW, C], each bin the mean of its bilinear samples (0 for samples beyond a pixel outside).
    /// </summary>
    void RoiAlign(Tensor x, Tensor rois, RoiAlignAttrs attrs, Tensor y);

    /// <summary>Reads dy [K, PooledH, PooledW, C] and rois [K, 5]; writes every element of dx [N, H, W, C]: the sum of the samples' shares.</summary>
    void RoiAlignBackward(Tensor dy, Tensor rois, RoiAlignAttrs attrs, Tensor dx);

    /// <summary>
    /// nms: reads boxes [N, 4] and scores [N] (N &gt; 0); writes int32 order [N] (box indices by descending score, equal
    /// scores by increasing index) and int32 keep [N] (1 where the box at that rank survives greedy suppression at IoU &gt; threshold).
    /// </summary>
    void Nms(Tensor boxes, Tensor scores, double iouThreshold, Tensor order, Tensor keep);

    /// <summary>Reads deltas [N, 4J] and boxes [N, 4]; writes y [N, 4J], the decoded boxes (see <see cref="Ops.BoxDecode"/>).</summary>
    void BoxDecode(Tensor deltas, Tensor boxes, BoxCoderAttrs attrs, Tensor y);

    /// <summary>Reads targets and proposals [N, 4]; writes y [N, 4], the deltas (see <see cref="Ops.BoxEncode"/>).</summary>
    void BoxEncode(Tensor targets, Tensor proposals, BoxCoderAttrs attrs, Tensor y);

    /// <summary>Reads x [N, H, W, C]; writes y [N, OH, OW, C], bilinear with half-pixel centres (see <see cref="Ops.Resize"/>).</summary>
    void Resize(Tensor x, Tensor y);
}
