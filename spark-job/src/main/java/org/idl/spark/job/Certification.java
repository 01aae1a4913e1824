package org.idl.spark.job;

import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.feature.StandardScalerModel;
import org.apache.spark.ml.feature.VectorSizeHint;
import org.apache.spark.ml.feature.VectorSlicer;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.idl.linalg.Matrix;
import org.idl.model.ImplicitModel;
import org.idl.robust.IntervalBounds;
import org.idl.spark.ml.IdlClassificationModel;
import org.idl.train.Loss;
import org.idl.train.gradient.ImplicitGradient;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code idl certify}: for each radius r (in the raw features' units, before the pipeline's
 * standardisation), the share of points the model classifies correctly (clean), correctly and
 * certified by {@link IntervalBounds} for every input within r of it, feature by feature (certified),
 * and correctly after an attack (attacked): projected sign-gradient ascent on the cross-entropy of
 * the true label within the box, with the gradient through the fixed point, {@code B^T V + D^T G}.
 * Certified <= attacked <= clean: a certified point cannot be flipped, and the attack bounds the
 * robust accuracy from above. The data is collected on the driver, in batches.
 */
final class Certification {
    private static final int BATCH = 2000;

    private Certification() {
    }

    /**
     * What a radius in a scaler's input units becomes in its output units, per feature: 1 / std, and 0
     * for a constant feature, which the scaler maps to 0 whatever it was, so it cannot move.
     */
    static double[] radiusScale(StandardScalerModel scaler) {
        double[] std = scaler.std().toArray();
        double[] out = new double[std.length];
        for (int j = 0; j < out.length; j++) {
            out[j] = !scaler.getWithStd() ? 1 : std[j] == 0 ? 0 : 1 / std[j];
        }
        return out;
    }

    static Map<String, Object> run(Dataset<Row> labelled, PipelineModel pipeline, IdlClassificationModel classifier,
                                   double[] radii, int steps) {
        ImplicitModel model = classifier.implicitModel();
        int p = model.inputs();
        // A raw radius, feature by feature, through the stages before the classifier.
        double[] scale = new double[ModelCommands.pipelineInputs(pipeline, classifier)];
        java.util.Arrays.fill(scale, 1.0);
        Dataset<Row> frame = labelled;
        for (Transformer stage : pipeline.stages()) {
            if (stage == classifier) {
                break;
            }
            if (stage instanceof StandardScalerModel scaler) {
                double[] factor = radiusScale(scaler);
                for (int j = 0; j < scale.length; j++) {
                    scale[j] *= factor[j];
                }
            } else if (stage instanceof VectorSlicer slicer) {
                int[] kept = slicer.getIndices();
                double[] selected = new double[kept.length];
                for (int j = 0; j < kept.length; j++) {
                    selected[j] = scale[kept[j]];
                }
                scale = selected;
            } else if (!(stage instanceof VectorSizeHint)) {
                throw new IllegalArgumentException("certify maps radii through StandardScaler, VectorSizeHint and"
                        + " VectorSlicer stages only; the model has a " + stage.getClass().getSimpleName());
            }
            frame = stage.transform(frame);
        }
        if (scale.length != p) {
            throw new IllegalStateException("the stages before the classifier give " + scale.length
                    + " features, the classifier takes " + p);
        }
        List<Row> rows = frame.select(classifier.getFeaturesCol(), "label").collectAsList();
        int m = rows.size();
        Matrix u = Matrix.zeros(p, m);
        int[] labels = new int[m];
        for (int c = 0; c < m; c++) {
            System.arraycopy(((Vector) rows.get(c).get(0)).toArray(), 0, u.data(), c * p, p);
            labels[c] = (int) rows.get(c).getDouble(1);
        }
        List<Map<String, Object>> results = new ArrayList<>();
        for (double r : radii) {
            double[] sigma = new double[p];
            for (int j = 0; j < p; j++) {
                sigma[j] = r * scale[j];
            }
            long clean = 0;
            long certified = 0;
            long attacked = 0;
            for (int from = 0; from < m; from += BATCH) {
                int to = Math.min(m, from + BATCH);
                Matrix ub = u.columns(from, to);
                int[] yb = java.util.Arrays.copyOfRange(labels, from, to);
                boolean[] right = correct(model.predict(ub), yb);
                boolean[] sure = IntervalBounds.certified(model, ub, sigma, IntervalBounds.of(model, ub, sigma));
                boolean[] survived = correct(model.predict(attack(model, ub, yb, sigma, steps)), yb);
                for (int c = 0; c < yb.length; c++) {
                    clean += right[c] ? 1 : 0;
                    certified += right[c] && sure[c] ? 1 : 0;
                    attacked += right[c] && survived[c] ? 1 : 0;
                }
            }
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("radius", r);
            row.put("cleanAccuracy", (double) clean / m);
            row.put("certifiedAccuracy", (double) certified / m);
            row.put("attackedAccuracy", (double) attacked / m);
            results.add(row);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("count", m);
        out.put("attackSteps", steps);
        out.put("radii", results);
        return out;
    }

    /** The HTML page of a {@link #run}'s result. */
    @SuppressWarnings("unchecked")
    static byte[] page(Map<String, Object> result, ImplicitModel model, String data, String modelPath) {
        List<Map<String, Object>> rows = (List<Map<String, Object>>) result.get("radii");
        int k = rows.size();
        double[] radii = new double[k];
        double[] clean = new double[k];
        double[] certified = new double[k];
        double[] attacked = new double[k];
        for (int i = 0; i < k; i++) {
            radii[i] = (Double) rows.get(i).get("radius");
            clean[i] = (Double) rows.get(i).get("cleanAccuracy");
            certified[i] = (Double) rows.get(i).get("certifiedAccuracy");
            attacked[i] = (Double) rows.get(i).get("attackedAccuracy");
        }
        Map<String, String> facts = new LinkedHashMap<>();
        facts.put("model", modelPath);
        facts.put("data", data + " (" + result.get("count") + " points)");
        facts.put("attack", result.get("attackSteps") + " steps of projected sign-gradient ascent");
        return org.idl.spark.job.report.HtmlReport.renderCertification(model, facts, radii, clean, certified, attacked);
    }

    /** Projected sign-gradient ascent on the cross-entropy of the labels, within u +- sigma. */
    static Matrix attack(ImplicitModel model, Matrix u, int[] labels, double[] sigma, int steps) {
        int p = model.inputs();
        Matrix y = Matrix.zeros(model.outputs(), u.cols());
        for (int c = 0; c < labels.length; c++) {
            y.set(labels[c], c, 1.0);
        }
        Matrix x = u.copy();
        for (int s = 0; s < steps; s++) {
            Matrix xa = model.augment(x);
            ImplicitGradient.Result g = ImplicitGradient.compute(model.a(), model.b(), model.c(), model.d(),
                    model.activation(), Loss.SOFTMAX_CROSS_ENTROPY, xa, y, null, null, 1e-8);
            // dL/dU = B^T V + D^T (softmax(yhat) - y), V = dL/dZ from the adjoint fixed point.
            Matrix dyhat = Matrix.zeros(model.outputs(), u.cols());
            Loss.SOFTMAX_CROSS_ENTROPY.valueAndGradient(y, model.readout(g.states(), xa), dyhat);
            Matrix grad = model.b().transposeTimes(g.adjoint()).plus(model.d().transposeTimes(dyhat));
            for (int c = 0; c < u.cols(); c++) {
                for (int j = 0; j < p; j++) {
                    double step = sigma[j] / 4 * Math.signum(grad.get(j, c));
                    double v = x.get(j, c) + step;
                    x.set(j, c, Math.max(u.get(j, c) - sigma[j], Math.min(u.get(j, c) + sigma[j], v)));
                }
            }
        }
        return x;
    }

    private static boolean[] correct(Matrix yhat, int[] labels) {
        boolean[] out = new boolean[labels.length];
        for (int c = 0; c < labels.length; c++) {
            int k = 0;
            for (int j = 1; j < yhat.rows(); j++) {
                k = yhat.get(j, c) > yhat.get(k, c) ? j : k;
            }
            out[c] = k == labels[c];
        }
        return out;
    }
}
