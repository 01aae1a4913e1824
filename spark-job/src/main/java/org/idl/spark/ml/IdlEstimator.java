package org.idl.spark.ml;

import org.apache.spark.annotation.Private;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.ml.PredictionModel;
import org.apache.spark.ml.Predictor;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.param.BooleanParam;
import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.LongParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.util.DefaultParamsWritable;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.idl.spark.train.Averaging;
import org.idl.spark.train.DistributedTrainer;
import org.idl.spark.train.InProcess;
import org.idl.spark.train.TrainingCheckpoints;
import org.idl.spark.train.TrainingData;
import org.idl.spark.train.TrainingLimits;
import org.idl.spark.train.VectorInputs;
import org.idl.train.DataBlock;
import org.idl.train.EarlyStopping;
import org.idl.train.ImplicitTrainer;
import org.idl.train.MemoryPlan;
import org.idl.train.Solver;
import org.idl.train.bcd.BcdConfig;
import org.idl.linalg.Matrix;
import org.idl.model.ImplicitModel;
import org.idl.model.SparsityPattern;
import org.idl.model.WellPosedness;

/**
 * What the implicit-model estimators share: the training params ({@link IdlParams}) with their
 * accessors and setters, and {@link #train}: validate the data, cut it into blocks (one per
 * partition of the input), run the distributed BCD, and hand the result to the concrete model.
 */
public abstract class IdlEstimator<E extends IdlEstimator<E, M>, M extends PredictionModel<Vector, M>>
        extends Predictor<Vector, E, M> implements DefaultParamsWritable, IdlTrainingParams {
    private static final long serialVersionUID = 1L;
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(IdlEstimator.class);

    private String uid;
    private final IdlParams p;
    private transient TrainingCheckpoints checkpoints;
    private transient Dataset<?> validation;
    private transient int validationEvery = 1;

    protected IdlEstimator(String uid, String defaultLoss) {
        this(PendingUid.park(uid), defaultLoss, true);
    }

    private IdlEstimator(String uid, String defaultLoss, boolean parked) {
        this.uid = uid;
        PendingUid.clear();
        this.p = new IdlParams(this, defaultLoss);
        p.setDefaults(this);
    }

    @Override
    public String uid() {
        return uid != null ? uid : PendingUid.get();
    }

    @Override
    public IdlParams trainingParams() {
        return p;
    }

    /** The algorithm's settings from this estimator's params. */
    public BcdConfig bcdConfig() {
        BcdConfig config = p.config(this);
        if (initialModel != null && strictlyTriangular(initialModel.a()) && Solver.parse(getSolver()) == Solver.BCD) {
            // Fine-tuning keeps A's zero pattern: strictly triangular, it keeps every A well-posed. (Not for
            // hybrid: its gradient rounds need A in the kappa ball, which BCD then keeps.)
            Matrix mask = initialModel.a();
            double[] d = mask.data();
            for (int k = 0; k < d.length; k++) {
                d[k] = d[k] != 0 ? 1 : 0;
            }
            config = config.toBuilder().structure(SparsityPattern.of(mask, null, null, null)).build();
        }
        return config;
    }

    private static boolean strictlyTriangular(Matrix a) {
        WellPosedness.Structure s = WellPosedness.structure(a);
        return s == WellPosedness.Structure.STRICTLY_UPPER || s == WellPosedness.Structure.STRICTLY_LOWER;
    }

    /** The trainer this estimator's params describe: its solver with the BCD and gradient settings. */
    public ImplicitTrainer trainer() {
        ImplicitTrainer trainer = new ImplicitTrainer(Solver.parse(getSolver()), bcdConfig(), p.gradientConfig(this));
        return initialModel == null ? trainer : trainer.startingFrom(initialModel);
    }

    /**
     * Fine-tuning: the next fits start from this model's parameters instead of the solver's own start
     * (null: the solver's start again). Its activation, bias and number of hidden units must be the
     * params'. A triangular A (an imported perceptron, a cascade) keeps its zero pattern, which makes it
     * well-posed whatever its norm, so BCD trains it without the kappa ball; the gradient solver keeps
     * A in the kappa ball, so it takes only a model already inside it. Not a param: not saved.
     */
    @SuppressWarnings("unchecked")
    public E setInitialModel(ImplicitModel model) {
        this.initialModel = model;
        return (E) this;
    }

    private ImplicitModel initialModel;

    /**
     * Writes training checkpoints (and, when resuming, starts from the newest) during the next fits.
     * Operational, not a param: the batch job sets it for scheduled runs. Not part of the public API
     * (public only because the job lives in its own package).
     */
    @Private
    public void setTrainingCheckpoints(TrainingCheckpoints checkpoints) {
        this.checkpoints = checkpoints;
    }

    /**
     * Data on which the true model is also measured after every round (the summary's validation
     * history), with the same columns as the training data. Set by the batch job for its report; not
     * part of the public API.
     */
    @Private
    public void setValidationData(Dataset<?> data) {
        setValidationData(data, 1);
    }

    /** As above, measured every {@code every} rounds and after the last one (1: every round). */
    @Private
    public void setValidationData(Dataset<?> data, int every) {
        if (every < 1) {
            throw new IllegalArgumentException("validation every " + every + " rounds: must be >= 1");
        }
        this.validation = data;
        this.validationEvery = every;
    }

    protected abstract boolean classification();

    protected abstract M createModel(String uid, DistributedTrainer.Result result, int outputs);

    @Override
    public M train(Dataset<?> dataset) {
        BcdConfig config = bcdConfig();
        if (!classification() && config.loss() != org.idl.train.Loss.SQUARED) {
            throw new IllegalArgumentException("a regressor trains with the squared loss, got loss = " + config.loss().spec());
        }
        if (initialModel != null) {
            ImplicitModel m = initialModel;
            if (!m.activation().equals(config.activation()) || m.bias() != config.bias() || m.hidden() != config.hidden()) {
                throw new IllegalArgumentException("the initial model has activation " + m.activation().spec()
                        + ", fitIntercept " + m.bias() + " and " + m.hidden() + " hidden units; the params say "
                        + config.activation().spec() + ", " + config.bias() + " and " + config.hidden());
            }
            if (Solver.parse(getSolver()) != Solver.BCD && m.a().infNorm() > config.kappa()) {
                throw new IllegalArgumentException("the initial model's ||A||_inf = " + m.a().infNorm() + " exceeds kappa = "
                        + config.kappa() + ": the " + getSolver() + " solver keeps A in that ball; solver = bcd keeps a"
                        + " strictly triangular A's zero pattern instead and trains it as it is");
            }
            if (Solver.parse(getSolver()) == Solver.BCD && !strictlyTriangular(m.a()) && m.a().infNorm() > config.kappa()) {
                throw new IllegalArgumentException("the initial model's ||A||_inf = " + m.a().infNorm() + " exceeds kappa = "
                        + config.kappa() + " and A is not strictly triangular");
            }
        }
        if ((Integer) getOrDefault(p.rank) > 0 && Solver.parse(getSolver()) == Solver.BCD) {
            throw new IllegalArgumentException("rank = " + getOrDefault(p.rank) + " (a low-rank A) is trained by the"
                    + " gradient solver: set solver = gradient or hybrid (it is bcd)");
        }
        if ((Integer) getOrDefault(p.rank) > (Integer) getOrDefault(p.hiddenSize)) {
            throw new IllegalArgumentException("rank = " + getOrDefault(p.rank) + " exceeds hiddenSize = "
                    + getOrDefault(p.hiddenSize));
        }
        if (p.intervalTraining(this) != null) {
            if (!classification()) {
                throw new IllegalArgumentException("robust training bounds the worst-case margins between classes:"
                        + " it needs a classifier");
            }
        }
        int depth = (Integer) getOrDefault(p.aggregationDepth);
        Dataset<?> validation = this.validation;
        String indicator = getValidationIndicatorCol();
        if (!indicator.isEmpty()) {
            // The rows marked true are held out of training and measured after every round instead.
            if (!java.util.Arrays.asList(dataset.columns()).contains(indicator)) {
                throw new IllegalArgumentException("no column '" + indicator + "' (validationIndicatorCol) in "
                        + java.util.Arrays.toString(dataset.columns()));
            }
            org.apache.spark.sql.Column marked = functions.col(indicator).cast("boolean");
            validation = dataset.filter(marked.equalTo(true));
            dataset = dataset.filter(marked.isNull().or(marked.equalTo(false)));
        }
        if (getEarlyStoppingRounds() > 0 && indicator.isEmpty()) {
            throw new IllegalArgumentException("earlyStoppingRounds = " + getEarlyStoppingRounds()
                    + " needs validation rows: set validationIndicatorCol");
        }
        EarlyStopping.Metric stoppingMetric = EarlyStopping.Metric.parse(getEarlyStoppingMetric());
        if (stoppingMetric == EarlyStopping.Metric.ACCURACY && !classification()) {
            throw new IllegalArgumentException("earlyStoppingMetric = accuracy needs a classifier; a regressor stops"
                    + " on the loss");
        }
        String weightCol = getWeightCol();
        Solver solver = Solver.parse(getSolver());
        JavaRDD<Row> rows = TrainingData.rows(dataset, getFeaturesCol(), getLabelCol(), weightCol);
        TrainingData.Shape shape = TrainingData.validate(rows, getFeaturesCol(), getLabelCol(), weightCol,
                classification(), depth);
        // Sparse inputs for the gradient solver's products alone: BCD's Gram matrices and the interval
        // bounds of robust training take dense ones.
        boolean sparse = solver == Solver.GRADIENT && p.intervalTraining(this) == null
                && shape.density() < VectorInputs.SPARSE_DENSITY;
        int inputs = shape.features() + (config.bias() ? 1 : 0);
        // The validation rows count only towards holding the data in the driver: an estimate before they are read.
        boolean inProcess = InProcess.chosen(dataset.sparkSession(),
                dataBytes(shape, validation == null ? shape.count() : shape.count() * 5 / 4, inputs, config, sparse));
        TrainingLimits.check(new MemoryPlan(solver, config.hidden(), inputs, shape.outputs(),
                        sparse ? shape.density() : 1), shape.count(), rows.getNumPartitions(),
                dataset.sparkSession().sparkContext(), inProcess, depth);
        if (sparse) {
            LOG.info("sparse inputs: {} of the {} features stored per point on average",
                    String.format("%.1f", shape.entries() / (double) shape.count()), shape.features());
        }
        JavaRDD<DataBlock> blocks = TrainingData.blocks(rows, shape, config.bias(), classification(), sparse,
                getFeaturesCol());
        JavaRDD<DataBlock> validationBlocks = null;
        if (validation != null) {
            JavaRDD<Row> vrows = TrainingData.rows(validation, getFeaturesCol(), getLabelCol(), "");
            TrainingData.Shape vshape = TrainingData.validate(vrows, getFeaturesCol(), getLabelCol(), "",
                    classification(), depth);
            if (vshape.features() != shape.features() || vshape.outputs() > shape.outputs()) {
                throw new IllegalArgumentException("validation data has " + vshape.features() + " features and "
                        + vshape.outputs() + " outputs; the training data " + shape.features() + " and " + shape.outputs());
            }
            // Measured with the training data's outputs, every point once.
            validationBlocks = TrainingData.blocks(vrows, new TrainingData.Shape(vshape.count(), shape.features(),
                    shape.outputs(), vshape.entries(), Double.NaN), config.bias(), classification(), sparse,
                    getFeaturesCol());
        }
        DistributedTrainer.Result result = DistributedTrainer.fit(blocks, validationBlocks, shape.features(), shape.outputs(),
                classification(), config, trainer(), depth, (Integer) getOrDefault(p.checkpointInterval),
                Averaging.parse(getOrDefault(p.averaging)), getEarlyStoppingRounds(),
                stoppingMetric,
                indicator.isEmpty() ? validationEvery : 1, checkpoints, inProcess);
        return copyValues(createModel(uid, result, shape.outputs()), extractParamMap());
    }

    /** What the blocks of {@code points} points take: inputs (dense, or a sparse entry as 1.5 numbers), targets, X and P. */
    private static long dataBytes(TrainingData.Shape shape, long points, int inputs, BcdConfig config, boolean sparse) {
        double perPoint = (sparse ? 1.5 * shape.entries() / (double) shape.count() : inputs) + shape.outputs()
                + 2.0 * config.hidden();
        return (long) (8 * perPoint * points);
    }

    @SuppressWarnings("unchecked")
    public E setHiddenSize(int value) {
        return (E) set(p.hiddenSize, value);
    }

    @SuppressWarnings("unchecked")
    public E setKappa(double value) {
        return (E) set(p.kappa, value);
    }

    @SuppressWarnings("unchecked")
    public E setLambda(double value) {
        return (E) set(p.lambda, value);
    }

    @SuppressWarnings("unchecked")
    public E setMu(double value) {
        return (E) set(p.mu, value);
    }

    @SuppressWarnings("unchecked")
    public E setMaxIter(int value) {
        return (E) set(p.maxIter, value);
    }

    @SuppressWarnings("unchecked")
    public E setTol(double value) {
        return (E) set(p.tol, value);
    }

    @SuppressWarnings("unchecked")
    public E setLoss(String value) {
        return (E) set(p.loss, value);
    }

    @SuppressWarnings("unchecked")
    public E setActivation(String value) {
        return (E) set(p.activation, value);
    }

    @SuppressWarnings("unchecked")
    public E setSchedule(String value) {
        return (E) set(p.schedule, value);
    }

    @SuppressWarnings("unchecked")
    public E setL1B(double value) {
        return (E) set(p.l1B, value);
    }

    @SuppressWarnings("unchecked")
    public E setL1CD(double value) {
        return (E) set(p.l1CD, value);
    }

    @SuppressWarnings("unchecked")
    public E setGroupBD(double value) {
        return (E) set(p.groupBD, value);
    }

    @SuppressWarnings("unchecked")
    public E setRidge(double value) {
        return (E) set(p.ridge, value);
    }

    @SuppressWarnings("unchecked")
    public E setFitIntercept(boolean value) {
        return (E) set(p.fitIntercept, value);
    }

    @SuppressWarnings("unchecked")
    public E setSeed(long value) {
        return (E) set(p.seed, value);
    }

    @SuppressWarnings("unchecked")
    public E setCheckpointInterval(int value) {
        return (E) set(p.checkpointInterval, value);
    }

    @SuppressWarnings("unchecked")
    public E setAggregationDepth(int value) {
        return (E) set(p.aggregationDepth, value);
    }

    @SuppressWarnings("unchecked")
    public E setPStepIterations(int value) {
        return (E) set(p.pStepIterations, value);
    }

    @SuppressWarnings("unchecked")
    public E setBcdBatchSize(int value) {
        return (E) set(p.bcdBatchSize, value);
    }

    @SuppressWarnings("unchecked")
    public E setProximalAB(double value) {
        return (E) set(p.proximalAB, value);
    }

    @SuppressWarnings("unchecked")
    public E setProximalReadout(double value) {
        return (E) set(p.proximalReadout, value);
    }

    @SuppressWarnings("unchecked")
    public E setCurvatureScaleAB(double value) {
        return (E) set(p.curvatureScaleAB, value);
    }

    @SuppressWarnings("unchecked")
    public E setXStepIterations(int value) {
        return (E) set(p.xStepIterations, value);
    }

    @SuppressWarnings("unchecked")
    public E setAbIterations(int value) {
        return (E) set(p.abIterations, value);
    }

    @SuppressWarnings("unchecked")
    public E setReadoutPasses(int value) {
        return (E) set(p.readoutPasses, value);
    }

    @SuppressWarnings("unchecked")
    public E setInitialReadoutPasses(int value) {
        return (E) set(p.initialReadoutPasses, value);
    }

    @SuppressWarnings("unchecked")
    public E setSolver(String value) {
        return (E) set(p.solver, value);
    }

    @SuppressWarnings("unchecked")
    public E setGradientIter(int value) {
        return (E) set(p.gradientIter, value);
    }

    @SuppressWarnings("unchecked")
    public E setStepSize(double value) {
        return (E) set(p.stepSize, value);
    }

    @SuppressWarnings("unchecked")
    public E setBatchSize(int value) {
        return (E) set(p.batchSize, value);
    }

    @SuppressWarnings("unchecked")
    public E setSyncSteps(int value) {
        return (E) set(p.syncSteps, value);
    }

    @SuppressWarnings("unchecked")
    public E setAveraging(String value) {
        return (E) set(p.averaging, value);
    }

    @SuppressWarnings("unchecked")
    public E setGradientTol(double value) {
        return (E) set(p.gradientTol, value);
    }

    @SuppressWarnings("unchecked")
    public E setStepSchedule(String value) {
        return (E) set(p.stepSchedule, value);
    }

    @SuppressWarnings("unchecked")
    public E setValidationIndicatorCol(String value) {
        return (E) set(p.validationIndicatorCol, value);
    }

    @SuppressWarnings("unchecked")
    public E setWeightCol(String value) {
        return (E) set(p.weightCol, value);
    }

    @SuppressWarnings("unchecked")
    public E setEarlyStoppingRounds(int value) {
        return (E) set(p.earlyStoppingRounds, value);
    }

    @SuppressWarnings("unchecked")
    public E setEarlyStoppingMetric(String value) {
        return (E) set(p.earlyStoppingMetric, value);
    }

    @SuppressWarnings("unchecked")
    public E setRobustRadius(double value) {
        return (E) set(p.robustRadius, value);
    }

    @SuppressWarnings("unchecked")
    public E setRobustRadii(double[] value) {
        return (E) set(p.robustRadii, value);
    }

    @SuppressWarnings("unchecked")
    public E setRobustWeight(double value) {
        return (E) set(p.robustWeight, value);
    }

    @SuppressWarnings("unchecked")
    public E setRobustRamp(double value) {
        return (E) set(p.robustRamp, value);
    }

    @SuppressWarnings("unchecked")
    public E setRank(int value) {
        return (E) set(p.rank, value);
    }
}
