// Tiny admin client for kafka.sh, compiled once into the jar cache (javac) and run
// against the broker jars. Kafka 4's broker jars ship no CLI tools of their own.
//   wait <bootstrap> <timeoutMs>                  exit 0 once the broker answers
//   create-topic <bootstrap> <name> <partitions>   idempotent (an existing topic is fine)
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;

public final class KafkaAdmin {
  private KafkaAdmin() {}

  private static Admin admin(String bootstrap) {
    Properties p = new Properties();
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000");
    p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "10000");
    p.put(AdminClientConfig.RECONNECT_BACKOFF_MS_CONFIG, "100");
    p.put(AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, "500");
    return Admin.create(p);
  }

  public static void main(String[] args) throws Exception {
    if (args.length < 2) usage();
    String cmd = args[0];
    String bootstrap = args[1];
    switch (cmd) {
      case "wait" -> {
        long deadline = System.currentTimeMillis() + Long.parseLong(args.length > 2 ? args[2] : "60000");
        try (Admin a = admin(bootstrap)) {
          while (true) {
            try {
              a.describeCluster().nodes().get(2, TimeUnit.SECONDS);
              a.listTopics().names().get(2, TimeUnit.SECONDS);
              return;
            } catch (Exception e) {
              if (System.currentTimeMillis() > deadline) {
                System.err.println("broker at " + bootstrap + " did not answer: " + e);
                System.exit(1);
              }
              Thread.sleep(200);
            }
          }
        }
      }
      case "create-topic" -> {
        if (args.length < 4) usage();
        String name = args[2];
        int partitions = Integer.parseInt(args[3]);
        try (Admin a = admin(bootstrap)) {
          try {
            a.createTopics(List.of(new NewTopic(name, partitions, (short) 1))).all().get(30, TimeUnit.SECONDS);
            System.out.println("created " + name + " (" + partitions + " partitions)");
          } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) throw e;
            int have = a.describeTopics(List.of(name)).allTopicNames().get(10, TimeUnit.SECONDS)
                .get(name).partitions().size();
            if (have != partitions) {
              System.err.println("topic " + name + " exists with " + have + " partitions, not " + partitions);
              System.exit(2);
            }
            System.out.println("exists " + name + " (" + have + " partitions)");
          }
        }
      }
      default -> usage();
    }
  }

  private static void usage() {
    System.err.println("usage: KafkaAdmin wait <bootstrap> [timeoutMs] | create-topic <bootstrap> <name> <partitions>");
    System.exit(64);
  }
}
