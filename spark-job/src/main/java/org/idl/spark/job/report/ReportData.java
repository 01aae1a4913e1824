package org.idl.spark.job.report;

import org.idl.model.ImplicitModel;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * What the HTML training report shows. Histories are indexed by round (entry k is round k + 1) and may
 * have different lengths; a null history counts as empty. Arrays and the facts map are copied.
 *
 * @param title              page title and heading; escaped when rendered
 * @param objectiveHistory   the relaxed training objective after each round
 * @param trainMetricHistory the training metric after each round
 * @param testMetricHistory  the test metric after each round, or null when there is no test set
 * @param metricName         {@code "accuracy"} or {@code "rmse"} (any other name is shown as given)
 * @param roundSeconds       wall-clock seconds each round took
 * @param model              the trained model, for the B column norms and the sparsity of A
 * @param facts              key figures shown in a table, in the map's iteration order (use a
 *                           {@link LinkedHashMap} to choose it)
 */
public record ReportData(String title, double[] objectiveHistory, double[] trainMetricHistory,
                         double[] testMetricHistory, String metricName, double[] roundSeconds,
                         ImplicitModel model, Map<String, String> facts) {

    public ReportData {
        Objects.requireNonNull(model, "model");
        title = title == null ? "idl training report" : title;
        objectiveHistory = copy(objectiveHistory);
        trainMetricHistory = copy(trainMetricHistory);
        testMetricHistory = testMetricHistory == null ? null : testMetricHistory.clone();
        metricName = metricName == null ? "metric" : metricName;
        roundSeconds = copy(roundSeconds);
        facts = facts == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(facts));
    }

    private static double[] copy(double[] values) {
        return values == null ? new double[0] : values.clone();
    }
}
