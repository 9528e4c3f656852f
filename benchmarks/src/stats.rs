//! Statistics over runtime samples: warm-up, median, min, max, geometric mean.

/// How many leading iterations of a VM process count as warm-up by default:
/// the first third, and at least one when there are two or more iterations.
pub fn default_warmup(iterations: u32) -> u32 {
    let third = iterations / 3;
    if iterations >= 2 {
        third.max(1)
    } else {
        third
    }
}

/// The median; the mean of the two middle values for an even count.
pub fn median(values: &[f64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let mid = sorted.len() / 2;
    Some(if sorted.len().is_multiple_of(2) {
        (sorted[mid - 1] + sorted[mid]) / 2.0
    } else {
        sorted[mid]
    })
}

/// The geometric mean of positive values (through logarithms, so that long
/// lists of ratios neither overflow nor underflow).
pub fn geomean(values: &[f64]) -> Option<f64> {
    if values.is_empty() || values.iter().any(|v| !(v.is_finite() && *v > 0.0)) {
        return None;
    }
    let mean_log = values.iter().map(|v| v.ln()).sum::<f64>() / values.len() as f64;
    Some(mean_log.exp())
}

/// Median, min and max of the steady-state samples of one benchmark on one
/// VM, in milliseconds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Summary {
    pub median_ms: f64,
    pub min_ms: f64,
    pub max_ms: f64,
    /// How many samples it summarises.
    pub count: usize,
}

impl Summary {
    /// Summarises runtimes given in microseconds; `None` without samples.
    pub fn of_micros(micros: &[u64]) -> Option<Summary> {
        // In microseconds first, so that whole numbers of them print exactly.
        let us: Vec<f64> = micros.iter().map(|&us| us as f64).collect();
        Some(Summary {
            median_ms: median(&us)? / 1000.0,
            min_ms: *micros.iter().min()? as f64 / 1000.0,
            max_ms: *micros.iter().max()? as f64 / 1000.0,
            count: micros.len(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_of_an_odd_count_is_the_middle_value() {
        assert_eq!(median(&[5.0, 1.0, 3.0]), Some(3.0));
        assert_eq!(median(&[7.0]), Some(7.0));
    }

    #[test]
    fn median_of_an_even_count_is_the_mean_of_the_middle_two() {
        assert_eq!(median(&[4.0, 1.0, 3.0, 2.0]), Some(2.5));
        assert_eq!(median(&[1.0, 2.0]), Some(1.5));
    }

    #[test]
    fn median_of_nothing_is_none() {
        assert_eq!(median(&[]), None);
    }

    #[test]
    fn geomean_of_ratios() {
        let g = geomean(&[2.0, 8.0]).unwrap();
        assert!((g - 4.0).abs() < 1e-12, "{g}");
        let g = geomean(&[0.5, 2.0, 1.0]).unwrap();
        assert!((g - 1.0).abs() < 1e-12, "{g}");
        let g = geomean(&[3.0]).unwrap();
        assert!((g - 3.0).abs() < 1e-12, "{g}");
    }

    #[test]
    fn geomean_needs_positive_finite_values() {
        assert_eq!(geomean(&[]), None);
        assert_eq!(geomean(&[1.0, 0.0]), None);
        assert_eq!(geomean(&[1.0, -2.0]), None);
        assert_eq!(geomean(&[f64::NAN]), None);
    }

    #[test]
    fn warmup_is_a_third_and_at_least_one_from_two_iterations_on() {
        assert_eq!(default_warmup(0), 0);
        assert_eq!(default_warmup(1), 0);
        assert_eq!(default_warmup(2), 1);
        assert_eq!(default_warmup(3), 1);
        assert_eq!(default_warmup(5), 1);
        assert_eq!(default_warmup(6), 2);
        assert_eq!(default_warmup(10), 3);
        assert_eq!(default_warmup(30), 10);
    }

    #[test]
    fn summary_converts_microseconds_to_milliseconds() {
        let s = Summary::of_micros(&[3000, 1000, 2500, 1500]).unwrap();
        assert_eq!(s.median_ms, 2.0);
        assert_eq!(s.min_ms, 1.0);
        assert_eq!(s.max_ms, 3.0);
        assert_eq!(s.count, 4);
        assert_eq!(Summary::of_micros(&[]), None);
        let s = Summary::of_micros(&[87641, 87787]).unwrap();
        assert_eq!(s.median_ms.to_string(), "87.714");
    }
}
