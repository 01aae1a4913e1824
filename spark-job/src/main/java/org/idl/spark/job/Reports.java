package org.idl.spark.job;

import org.idl.model.WellPosedness;
import org.idl.spark.job.report.HtmlReport;
import org.idl.spark.job.report.ReportData;
import org.idl.spark.ml.IdlClassificationModel;
import org.idl.spark.ml.TrainingSummary;

import java.util.LinkedHashMap;
import java.util.Map;

/** The training report of the job: the figures a person looks at first, and the charts. */
final class Reports {
    private Reports() {
    }

    static byte[] training(IdlClassificationModel model, Map<String, Object> trainMetrics, Map<String, Object> testMetrics,
                           JobConfig config) {
        TrainingSummary s = model.summary();
        Map<String, String> facts = new LinkedHashMap<>();
        facts.put("test accuracy (true model)", String.format("%.4f", (Double) testMetrics.get("accuracy")));
        facts.put("train accuracy (true model)", String.format("%.4f", (Double) trainMetrics.get("accuracy")));
        facts.put("test / train points", testMetrics.get("count") + " / " + trainMetrics.get("count"));
        facts.put("rounds", Integer.toString(s.rounds()));
        facts.put("training seconds", String.format("%.1f (after %.1f building the blocks)", s.trainingSeconds(),
                s.dataSeconds()));
        facts.put("partitions", Integer.toString(s.partitions()));
        facts.put("||A||_inf", String.format("%.4f", s.infNorm()));
        facts.put("rho(|A|) (estimate)", String.format("%.4f", s.spectralRadiusEstimate()));
        facts.put("structure of A", WellPosedness.structure(model.implicitModel().a()).name());
        facts.put("data", config.get("data.path") + " (" + config.get("data.format") + ")");
        facts.put("schedule", config.withPrefix("model.").getOrDefault("schedule", "recipe"));
        // Per-round figures on held-out validation rows are not the test set's: the chart shows test curves only.
        boolean validation = config.validationFraction() > 0;
        if (validation) {
            facts.put("validation", "data.validationFraction = " + config.get("data.validationFraction")
                    + " of the training data held out, " + s.rounds() + " rounds"
                    + (s.keptRound() < s.rounds() ? ", the model of round " + s.keptRound() + " kept (early stopping)"
                    : ""));
        }
        return HtmlReport.render(new ReportData("idl training report", s.objectiveHistory(), s.trainMetric(),
                validation ? null : s.validationMetric(),
                s.metricName(), s.roundSeconds(), model.implicitModel(), facts));
    }
}
