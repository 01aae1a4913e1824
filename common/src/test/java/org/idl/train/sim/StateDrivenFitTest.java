package org.idl.train.sim;

import org.idl.linalg.Matrix;
import org.idl.model.Activation;
import org.idl.model.ImplicitModel;
import org.idl.model.ModelAnalysis;
import org.idl.model.WellPosedness;
import org.idl.train.LocalBlockStore;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** SIM's least-squares form: exact recovery of an implicit teacher, and sparsity with a penalty. */
class StateDrivenFitTest {
    private static final int N = 8;
    private static final int P = 5;
    private static final int Q = 3;
    private static final int M = 400;

    private static ImplicitModel teacher(Random random, Activation phi) {
        Matrix a = Matrix.gaussian(N, N, 0.4, random);
        WellPosedness.projectInfNormBall(a, 0.7);
        Matrix b = Matrix.gaussian(N, P + 1, 0.8, random);
        for (int i = 0; i < N; i++) {
            b.set(i, P, 0.5 + random.nextDouble()); // a positive bias: no unit is dead on all the data
        }
        return new ImplicitModel(a, b, Matrix.gaussian(Q, N, 0.7, random), Matrix.gaussian(Q, P + 1, 0.3, random), phi,
                true);
    }

    private static StateDrivenFit.Statistics statistics(ImplicitModel teacher, Matrix u, int blocks) {
        Matrix ua = teacher.augment(u);
        LocalBlockStore store = LocalBlockStore.split(ua, Matrix.zeros(Q, u.cols()), blocks);
        return store.pass(teacher, new StateDrivenFit.TeacherStatistics(1e-13));
    }

    @Test
    void withoutAPenaltyItRecoversTheTeacher() {
        for (Activation phi : new Activation[]{Activation.RELU, Activation.TANH, Activation.SIGMOID}) {
            Random random = new Random(4);
            ImplicitModel teacher = teacher(random, phi);
            Matrix u = Matrix.gaussian(P, M, 1.0, random);
            StateDrivenFit.Statistics s = statistics(teacher, u, 3);
            assertEquals(M, s.count());
            ImplicitModel student = StateDrivenFit.fit(teacher, s, new StateDrivenFit.Config(0.9, 0, 0, 20000));
            Matrix[] expected = {teacher.a(), teacher.b(), teacher.c(), teacher.d()};
            Matrix[] actual = {student.a(), student.b(), student.c(), student.d()};
            for (int k = 0; k < 4; k++) {
                double error = expected[k].minus(actual[k]).maxAbs();
                assertTrue(error <= 1e-6, phi + ": parameter " + "ABCD".charAt(k) + " off by " + error);
            }
            Matrix fresh = Matrix.gaussian(P, 50, 1.0, random);
            assertTrue(teacher.predict(fresh).minus(student.predict(fresh)).maxAbs() <= 1e-5, phi.spec());
        }
    }

    @Test
    void thePartitioningDoesNotChangeTheStatistics() {
        Random random = new Random(8);
        ImplicitModel teacher = teacher(random, Activation.RELU);
        Matrix u = Matrix.gaussian(P, M, 1.0, random);
        StateDrivenFit.Statistics one = statistics(teacher, u, 1);
        StateDrivenFit.Statistics seven = statistics(teacher, u, 7);
        assertTrue(one.gram().minus(seven.gram()).maxAbs() <= 1e-9 * one.gram().maxAbs());
        assertTrue(one.preActivations().minus(seven.preActivations()).maxAbs() <= 1e-9 * one.preActivations().maxAbs());
    }

    @Test
    void aPenaltyGivesASparserWellPosedModelThatStillPredictsLikeTheTeacher() {
        Random random = new Random(6);
        ImplicitModel teacher = teacher(random, Activation.RELU);
        Matrix u = Matrix.gaussian(P, M, 1.0, random);
        StateDrivenFit.Statistics s = statistics(teacher, u, 2);
        ImplicitModel student = StateDrivenFit.fit(teacher, s, new StateDrivenFit.Config(0.5, 0.02, 0.01, 3000));
        long before = ModelAnalysis.nonzeros(teacher.a()) + ModelAnalysis.nonzeros(teacher.b());
        long after = ModelAnalysis.nonzeros(student.a()) + ModelAnalysis.nonzeros(student.b());
        assertTrue(after < before, after + " nonzeros in (A, B), the teacher has " + before);
        assertTrue(student.a().infNorm() <= 0.5 + 1e-12, "||A||_inf = " + student.a().infNorm());
        Matrix fresh = Matrix.gaussian(P, 200, 1.0, random);
        Matrix yt = teacher.predict(fresh);
        Matrix ys = student.predict(fresh);
        int agree = 0;
        for (int c = 0; c < fresh.cols(); c++) {
            agree += yt.argmaxInColumn(c) == ys.argmaxInColumn(c) ? 1 : 0;
        }
        assertTrue(agree >= 180, agree + " of 200 predictions agree");
        assertThrows(IllegalArgumentException.class, () -> new StateDrivenFit.Config(1.0, 0, 0, 10));
        assertThrows(IllegalArgumentException.class, () -> new StateDrivenFit.Config(0.5, -1, 0, 10));
    }

    @Test
    void aGroupPenaltyOnCsColumnsRemovesUnitsThatCompactionThenDrops() {
        Random random = new Random(12);
        ImplicitModel full = teacher(random, Activation.RELU);
        Matrix c = full.c();
        Matrix a = full.a();
        for (int j = 0; j < 2; j++) { // units 0 and 1 are read by nothing in the teacher
            for (int i = 0; i < Q; i++) {
                c.set(i, j, 0);
            }
            for (int i = 0; i < N; i++) {
                a.set(i, j, 0);
            }
        }
        ImplicitModel teacher = full.with(a, full.b(), c, full.d());
        Matrix u = Matrix.gaussian(P, M, 1.0, random);
        ImplicitModel student = StateDrivenFit.fit(teacher, statistics(teacher, u, 2),
                new StateDrivenFit.Config(0.9, 0, 0, 0.01, 5000));
        ModelAnalysis.Compaction small = ModelAnalysis.compact(student);
        assertTrue(small.model().hidden() <= N - 2, small.model().hidden() + " units kept");
        for (int j : new int[]{0, 1}) {
            assertTrue(java.util.Arrays.stream(small.keptHidden()).noneMatch(k -> k == j), "unit " + j + " kept");
        }
        Matrix fresh = Matrix.gaussian(P, 50, 1.0, random);
        double scale = student.predict(fresh).maxAbs();
        assertTrue(student.predict(fresh).minus(small.model().predict(small.selectInputs(fresh))).maxAbs() <= 1e-9 * scale);
        assertTrue(teacher.predict(fresh).minus(student.predict(fresh)).maxAbs() <= 0.05 * scale,
                "the student drifted from the teacher");
        assertThrows(IllegalArgumentException.class, () -> new StateDrivenFit.Config(0.5, 0, 0, -1, 10));
    }

}
